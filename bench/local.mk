# bench/local.mk -- the benchmark harness (make bench).
