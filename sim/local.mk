# sim/local.mk -- batchtop-sim, the local LlamaCloud simulator (libmicrohttpd + json-c).
# libsim.a holds every module but main.c, so unit tests can drive the world with a fake clock.
noinst_LIBRARIES += libsim.a
libsim_a_SOURCES = \
	sim/rng.c sim/rng.h \
	sim/names.c sim/names.h \
	sim/index.c sim/index.h \
	sim/world.c sim/world.h \
	sim/dirs.c sim/dirs.h \
	sim/usage.c sim/usage.h \
	sim/wire.c sim/wire.h \
	sim/faults.c sim/faults.h \
	sim/upload.c sim/upload.h \
	sim/handlers.h \
	sim/request.c \
	sim/h_batches.c \
	sim/h_resources.c \
	sim/server.c sim/server.h
libsim_a_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) $(JSONC_CFLAGS) $(CRYPTO_CFLAGS)

bin_PROGRAMS += batchtop-sim
batchtop_sim_SOURCES = sim/main.c
batchtop_sim_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) $(JSONC_CFLAGS)
batchtop_sim_LDADD = libsim.a libmodel.a $(MHD_LIBS) $(JSONC_LIBS) $(CRYPTO_LIBS) -lm
# sim/throughput.sh measures list-page requests per second with curl (README); not a test.
EXTRA_DIST += sim/throughput.sh
