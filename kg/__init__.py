"""The small core shared by loaders and server: the store facade, settings and the `kg` CLI."""

__version__ = "0.1.0"
