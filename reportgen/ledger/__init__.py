"""The ledger: what a core-banking system exports about its loans (see docs/ledger-format.md)."""
