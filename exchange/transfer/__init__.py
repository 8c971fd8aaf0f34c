"""Data in and out of the exchange: backups (imports, exports and restore grow here, issue 12)."""
