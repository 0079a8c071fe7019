from multiassets.cli import main

main()
