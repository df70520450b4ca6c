"""``python -m oigcli``."""

from oigcli.cli import main

main()
