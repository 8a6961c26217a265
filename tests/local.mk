# tests/local.mk -- every test `make check` runs; each part lives in its own fragment.
# stress.mk comes first: its soak, the longest test, should start first under make -j.
include tests/stress.mk
include tests/model.mk
include tests/sim.mk
include tests/net.mk
include tests/tui.mk
