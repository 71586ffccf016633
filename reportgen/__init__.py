"""reportgen: regulatory credit-business reports from a bank's loan ledger.

The flow is one way: ledger files → load and validate → one report model (plain
data) → renderers (json, xlsx, html, pdf) → delivery (files, email).
"""

__version__ = "0.1.0"
