"""The ``reportgen`` console script: tune the allocators, then run the click commands.

The allocator choice must precede the first ``import pyarrow`` (see ``heap``), so this
module imports nothing else until it is made; ``cli.main`` stays importable on its own for
tests and for programs that embed the commands.
"""

from __future__ import annotations

from reportgen.heap import tune_allocators


def main() -> None:
    tune_allocators()
    from reportgen.cli import main as commands

    commands()
