# tests/local.mk -- every test `make check` runs; each part lives in its own fragment.
include tests/model.mk
include tests/sim.mk
include tests/net.mk
include tests/tui.mk
include tests/stress.mk
