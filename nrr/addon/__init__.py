"""The Google Workspace add-on for Sheets: an inbound adapter, the HTTP backend under /addon/.

Google calls it (the "alternate runtime"); it verifies each request's ID token, reads or fills
the open spreadsheet through ``sheets`` with the person's own access token, and answers with cards.
"""

from nrr.addon._app import AddonApp
from nrr.addon._cards import PATHS, addon_routes
from nrr.addon._errors import AddonError, FileScopeNeeded, TokenRejected
from nrr.addon._idtoken import IdTokenVerifier

__all__ = ["PATHS", "AddonApp", "AddonError", "FileScopeNeeded", "IdTokenVerifier", "TokenRejected",
           "addon_routes"]
