"""Parley: open-source omnichannel customer service."""
