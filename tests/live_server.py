"""Real `kg serve` processes on 127.0.0.1 for the live and browser tests (see bench/live.py)."""

from bench.live import build_store, free_port, process_of, serving, stop_by_sigterm

__all__ = ["build_store", "free_port", "process_of", "serving", "stop_by_sigterm"]
