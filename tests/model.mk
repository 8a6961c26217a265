# tests/model.mk -- tests for model/.
check_PROGRAMS += tests/test_model
TESTS += tests/test_model
tests_test_model_SOURCES = tests/test_model.c
tests_test_model_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_model_LDADD = libmodel.a $(CHECK_LIBS)

check_PROGRAMS += tests/test_triage
TESTS += tests/test_triage
tests_test_triage_SOURCES = tests/test_triage.c
tests_test_triage_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_triage_LDADD = libmodel.a $(CHECK_LIBS)

check_PROGRAMS += tests/test_localsrc
TESTS += tests/test_localsrc
tests_test_localsrc_SOURCES = tests/test_localsrc.c
tests_test_localsrc_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_localsrc_LDADD = libmodel.a $(CHECK_LIBS)
