# tests/sim.mk -- tests for sim/.
#
# tests/libsimproc.a (tests/simproc.h) starts/stops a live batchtop-sim for any C test and has a
# small libcurl helper. Link it as: tests/libsimproc.a $(CURL_LIBS); it needs no other library.
check_LIBRARIES = tests/libsimproc.a
tests_libsimproc_a_SOURCES = tests/simproc.c tests/simproc.h
tests_libsimproc_a_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS)
