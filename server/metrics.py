"""Counters and a latency histogram, served as Prometheus plain text at /metrics.

Each app has its own registry, so two apps in one process (as in the tests) never share counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        self.operations = Counter("kg_sparql_operations", "SPARQL operations received, by kind",
                                  ["kind"], registry=self.registry)
        self.errors = Counter("kg_sparql_errors", "SPARQL operations answered with an error, by status",
                              ["status"], registry=self.registry)
        self.timeouts = Counter("kg_sparql_timeouts", "Operations stopped at the deadline", registry=self.registry)
        self.crashes = Counter("kg_engine_worker_crashes", "Engine workers that ended while running an operation",
                               registry=self.registry)
        self.cache_hits = Counter("kg_result_cache_hits", "Reads answered from the result cache", registry=self.registry)
        self.cache_misses = Counter("kg_result_cache_misses", "Cacheable reads the engine answered",
                                    registry=self.registry)
        self.streamed = Counter("kg_sparql_streamed", "Answers sent in pieces as they were made",
                                registry=self.registry)
        self.stream_cuts = Counter("kg_sparql_stream_cuts", "Streamed answers stopped before their end, by reason",
                                   ["reason"], registry=self.registry)
        self.cache_shared = Counter("kg_result_cache_shared", "Reads that shared the answer of the same read in "
                                    "flight", registry=self.registry)
        self.cache_kept = Counter("kg_result_cache_kept", "Cached answers kept across a write that could not "
                                  "change them", registry=self.registry)
        self.tool_calls = Counter("kg_mcp_tool_calls", "MCP tool calls, by tool and outcome (ok or the status of "
                                  "the HTTP API's error)", ["tool", "outcome"], registry=self.registry)
        self.truncated = Counter("kg_sparql_truncated", "Results cut at the row cap", registry=self.registry)
        self.latency = Histogram("kg_sparql_seconds", "Time to answer a SPARQL operation",
                                 buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
                                 registry=self.registry)

    def render(self) -> bytes:
        return generate_latest(self.registry)
