"""`make bench`: the benchmark of the real stack (see bench/README.md)."""
