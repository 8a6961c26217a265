# tests/sim.mk -- tests for sim/.
#
# tests/libsimproc.a (tests/simproc.h) starts/stops a live batchtop-sim for any C test and has a
# small libcurl helper. Link it as: tests/libsimproc.a $(CURL_LIBS); it needs no other library.
check_LIBRARIES = tests/libsimproc.a
tests_libsimproc_a_SOURCES = tests/simproc.c tests/simproc.h
tests_libsimproc_a_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS)

# Integration tests of batchtop-sim itself: a live simulator per test, libcurl, json-c.
check_PROGRAMS += tests/test_sim
TESTS += tests/test_sim
tests_test_sim_SOURCES = tests/test_sim.c
tests_test_sim_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CURL_CFLAGS) $(JSONC_CFLAGS) $(CRYPTO_CFLAGS)
tests_test_sim_LDADD = tests/libsimproc.a $(CHECK_LIBS) $(CURL_LIBS) $(JSONC_LIBS) $(CRYPTO_LIBS)

# The official TypeScript SDK against the simulator (skips without node/npm or a registry).
TESTS += tests/node/sdk_check.sh
EXTRA_DIST += tests/node/sdk_check.sh tests/node/sdk_check.mjs tests/node/package.json \
	tests/node/package-lock.json

# The SDK install lives in the build dir; `make clean` removes it (distcheck wants it gone).
# Others may add prerequisites to clean-local the same way.
clean-local: clean-local-sim-node
clean-local-sim-node:
	-rm -rf tests/node-sdk
.PHONY: clean-local-sim-node

# The world, its clock and helpers on a fake clock (no HTTP).
check_PROGRAMS += tests/test_sim_unit
TESTS += tests/test_sim_unit
tests_test_sim_unit_SOURCES = tests/test_sim_unit.c
tests_test_sim_unit_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JSONC_CFLAGS) $(MHD_CFLAGS)
tests_test_sim_unit_LDADD = libsim.a libmodel.a $(CHECK_LIBS) $(MHD_LIBS) $(JSONC_LIBS) \
	$(CRYPTO_LIBS) -lm
