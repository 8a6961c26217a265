# tests/net.mk -- tests for net/: unit (pure parts) and integration against a live batchtop-sim.
check_PROGRAMS += tests/test_net_unit
TESTS += tests/test_net_unit
tests_test_net_unit_SOURCES = tests/test_net_unit.c
tests_test_net_unit_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JSONC_CFLAGS)
tests_test_net_unit_LDADD = libnet.a libmodel.a $(CURL_LIBS) $(CRYPTO_LIBS) $(JSONC_LIBS) $(CHECK_LIBS)

# Integration: the public net_* API against a live batchtop-sim (tests/libsimproc.a).
check_PROGRAMS += tests/test_net_live
TESTS += tests/test_net_live
tests_test_net_live_SOURCES = tests/test_net_live.c
tests_test_net_live_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JSONC_CFLAGS)
tests_test_net_live_LDADD = libnet.a libmodel.a tests/libsimproc.a $(CURL_LIBS) $(CRYPTO_LIBS) $(JSONC_LIBS) \
	$(CHECK_LIBS)

# The network core driven without curses (the command-line mode's engine): no tui/ code linked.
check_PROGRAMS += tests/test_core
TESTS += tests/test_core
tests_test_core_SOURCES = tests/test_core.c
tests_test_core_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JSONC_CFLAGS)
tests_test_core_LDADD = libnet.a libmodel.a tests/libsimproc.a $(CURL_LIBS) $(CRYPTO_LIBS) $(JSONC_LIBS) \
	$(CHECK_LIBS)

# The snapshot cache file (net/snapshot.c): format, refusals, truncation, files in a temp dir.
check_PROGRAMS += tests/test_snapshot
TESTS += tests/test_snapshot
tests_test_snapshot_SOURCES = tests/test_snapshot.c
tests_test_snapshot_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JSONC_CFLAGS)
tests_test_snapshot_LDADD = libnet.a libmodel.a $(JSONC_LIBS) $(CHECK_LIBS)
