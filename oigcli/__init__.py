"""oigcli: query DHS Office of Inspector General reports from the shell."""

__version__ = "0.1.0"
