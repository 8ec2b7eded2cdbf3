"""Errors of the Sheets add-on backend.

    NrrError (engine)
    └── AddonError            the add-on cannot answer this request
        ├── TokenRejected     the request's ID token does not prove it came from our add-on (401)
        └── FileScopeNeeded   the person has not granted the add-on the open spreadsheet yet
"""

from __future__ import annotations

from engine import NrrError


class AddonError(NrrError):
    """The add-on cannot answer this request; the text says what the user should do."""


class TokenRejected(AddonError):
    """The request's ID token is missing or does not prove the request came from our add-on."""


class FileScopeNeeded(AddonError):
    """The person has not granted the add-on access to the open spreadsheet (``drive.file``) yet."""
