"""A tiny bot: it needs Multi-Assets Mode, and switches to it only when it must."""

from multiassets import Client


def prepare_account(client: Client) -> str:
    if client.ensure_mode(True):
        return "switched to Multi-Assets Mode"
    return "already in Multi-Assets Mode"
