# tests/net.mk -- tests for net/: unit (pure parts) and integration against a live batchtop-sim.
check_PROGRAMS += tests/test_net_unit
TESTS += tests/test_net_unit
tests_test_net_unit_SOURCES = tests/test_net_unit.c
tests_test_net_unit_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JSONC_CFLAGS)
tests_test_net_unit_LDADD = libnet.a libmodel.a $(CURL_LIBS) $(JSONC_LIBS) $(CHECK_LIBS)
