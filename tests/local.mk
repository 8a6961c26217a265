# tests/local.mk -- every test `make check` runs; each part lives in its own fragment.

# The soak (tests/stress.mk) is listed first: make starts the tests in the order of TESTS, so
# the longest one (SOAK_SECONDS, 120 s by default, plus its setup) runs beside all the others
# instead of alone at the end. With the soak last, `make -j2 check` spent its last ~170 s on
# the soak with the other slot mostly idle. (The C test programs start after every script
# whatever their place: each waits for config.h's no-op recipe, and make moves on meanwhile.)
TESTS += tests/stress/soak-check.sh
include tests/model.mk
include tests/sim.mk
include tests/net.mk
include tests/tui.mk
include tests/stress.mk
