"""``python -m oigcli``."""

from oigcli.cli.main import main

main()
