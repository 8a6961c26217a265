# tests/stress.mk -- issue 6: hostile IDs against a live sim, hostile terminals, security, soak.
check_PROGRAMS += tests/test_stress_escape
TESTS += tests/test_stress_escape
tests_test_stress_escape_SOURCES = tests/stress/test_stress_escape.c
tests_test_stress_escape_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CURL_CFLAGS)
tests_test_stress_escape_LDADD = libnet.a libmodel.a tests/libsimproc.a $(CURL_LIBS) $(CRYPTO_LIBS) \
	$(JSONC_LIBS) $(CHECK_LIBS)

# Terminal tests (tmux against a live sim; they reuse tests/e2e/lib.sh). The soak runs
# tests/soak.sh for $SOAK_SECONDS (default 120) through tests/stress/soak-check.sh, which
# tests/local.mk puts first in TESTS (the longest test).
STRESS_TESTS = tests/stress/terminal.sh tests/stress/many.sh tests/stress/security.sh
TESTS += $(STRESS_TESTS)
EXTRA_DIST += $(STRESS_TESTS) tests/stress/soak-check.sh tests/soak.sh tests/stress/valgrind.sh
