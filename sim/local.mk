# sim/local.mk -- batchtop-sim, the local LlamaCloud simulator (libmicrohttpd).
bin_PROGRAMS += batchtop-sim
batchtop_sim_SOURCES = sim/main.c
batchtop_sim_LDADD = libmodel.a $(MHD_LIBS) $(JSONC_LIBS)
