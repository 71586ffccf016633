"""reportgen: regulatory credit-business reports from a bank's loan ledger.

The flow is one way: ledger files → load and validate → one report model (plain
data) → renderers (json, xlsx, html, pdf) → delivery (files, email).
"""

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """``reportgen.open_frames`` without importing pandas and the engine on every import."""
    if name == "open_frames":
        from reportgen.api import open_frames

        return open_frames
    raise AttributeError(f"module 'reportgen' has no attribute {name!r}")
