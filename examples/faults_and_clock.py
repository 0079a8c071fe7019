"""The control plane: make the next change fail with Binance's 503 "unknown status" while it
is applied (our client reads the mode back and finds it done), move the server clock (the client
syncs to it), and read in the request log why requests were refused."""

import os

from multiassets import Client
from multiassets.control_client import ControlClient

control = ControlClient(os.environ["MULTIASSETS_BASE_URL"], os.environ["MULTIASSETS_TOKEN"])
control.add_fault(
    kind="unknown_error", path="/fapi/v1/multiAssetsMargin", method="POST", applied=True, times=1
)

with Client() as client:
    client.set_mode(True)  # answered 503 "unknown": the client checks, and it was applied
    print("mode after the 503:", client.get_mode())
    client.set_mode(False)

    control.set_clock(offsetMs=60_000)  # the server runs a minute ahead of us
    # Refused with -1021 first; the client syncs its clock to the server's and asks again.
    print("mode read across the clock jump:", client.get_mode())
    control.reset_clock()

for entry in control.log(refused=True)["entries"]:
    print(f"{entry['status']} {entry['code']}: {entry['reason']}")
