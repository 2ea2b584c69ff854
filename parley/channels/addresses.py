"""The spelling of inbox addresses in the address index, so an inbound address finds its inbox in one lookup."""
from parley.core.phones import phone_e164

ADDRESS_KINDS = ("email", "phone", "page", "username")


def address_key(address: str) -> str:
    """Return the address lower-cased and without its +tag, so "Support+x@Ex.com" finds support@ex.com."""
    local, _, domain = address.strip().strip("<>").lower().rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}" if local else domain


def address_normalize(kind: str, value: str) -> str:
    """Return the indexed spelling of an address of `kind`; raise ValueError when it is not one."""
    if kind == "email":
        return address_key(value)
    if kind == "phone":
        e164 = phone_e164(value)
        if e164 is None:
            raise ValueError(f"{value!r} is not a phone number")
        return e164
    if kind in ("page", "username"):
        # Bot usernames and page ids are case-insensitive on every network that has them.
        return value.strip().lstrip("@").lower()
    raise ValueError(f"unknown address kind {kind!r}")
