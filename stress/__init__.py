"""make stress: the reliability suite. It tries to break a real `kg serve` on loopback, and
fails when any goal is missed: fuzzing (no unexpected 5xx, no worker or file descriptor lost),
a soak (no errors, memory flat), kill -9 during writes (the store is the old or the new version),
and differential answers (pyoxigraph and rdflib agree on every saved query)."""
