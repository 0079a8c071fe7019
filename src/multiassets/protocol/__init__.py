"""Binance's wire protocol, shared by server and client: errors, signing, parameters.

Nothing in this package imports the server or the client.
"""
