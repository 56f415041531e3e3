"""Errors of the ODK app, shared by the services and the acceptors."""

from __future__ import annotations


class AcceptError(Exception):
    """A draft that cannot become records as it stands; the message says why."""
