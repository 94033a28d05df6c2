"""The `kg` command line: the one place that brings the core, the loaders and the server together.

It lives outside the core package (`kg`), so the core imports neither `loaders` nor `server`.
"""
