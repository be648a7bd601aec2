"""`python -m companion.cli ...` runs the same command as `postguard ...`."""

from companion.cli import main

main()
