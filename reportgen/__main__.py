"""``python -m reportgen …`` runs the command line (handy for profilers)."""

from reportgen.cli import main

main()
