"""``python -m reportgen …`` runs the command line (handy for profilers)."""

from reportgen.launch import main

main()
