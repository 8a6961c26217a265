# sim/local.mk -- batchtop-sim, the local LlamaCloud simulator (libmicrohttpd + json-c).
bin_PROGRAMS += batchtop-sim
batchtop_sim_SOURCES = \
	sim/main.c \
	sim/rng.c sim/rng.h \
	sim/names.c sim/names.h \
	sim/world.c sim/world.h \
	sim/wire.c sim/wire.h \
	sim/faults.c sim/faults.h \
	sim/server.c sim/server.h
batchtop_sim_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) $(JSONC_CFLAGS)
batchtop_sim_LDADD = libmodel.a $(MHD_LIBS) $(JSONC_LIBS) -lm
