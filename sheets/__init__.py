"""The Google Sheets adapter: a sheet as a ledger source, safe write-back, the add-in backend."""
