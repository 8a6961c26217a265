# bench/local.mk -- the benchmark harness: `make bench` runs bench/run (never part of make check).
EXTRA_DIST += bench/run bench/report.mjs bench/proxy.mjs bench/RESULTS.md \
	bench/sdk/package.json bench/sdk/package-lock.json bench/sdk/common.mjs \
	bench/sdk/setup.mjs bench/sdk/w1_list.mjs bench/sdk/w2_open.mjs \
	bench/sdk/w7_list.mjs bench/sdk/w7_wait.mjs bench/sdk/w8_upload.mjs

# W1/W2's batchtop side: the real net thread (libnet.a) and model (libmodel.a).
noinst_PROGRAMS += bench/bench-net
bench_bench_net_SOURCES = bench/bench_net.c
bench_bench_net_LDADD = libnet.a libmodel.a $(CURL_LIBS) $(CRYPTO_LIBS) $(JSONC_LIBS)

# W3's driver: the real batchtop on a pseudo-terminal (libc only; built with everything so it
# cannot rot unnoticed).
noinst_PROGRAMS += bench/bench-draw
bench_bench_draw_SOURCES = bench/bench_draw.c

# W3's model share (list_view_rebuild, detail filter) timed in process on synthetic data.
noinst_PROGRAMS += bench/bench-view
bench_bench_view_SOURCES = bench/bench_view.c
bench_bench_view_LDADD = libmodel.a

# bench/run builds what it measures (make batchtop batchtop-sim bench/...) in this tree.
bench:
	TOP_BUILDDIR='$(abs_top_builddir)' NODE_BIN='$(NODE)' NPM_BIN='$(NPM)' \
	TMUX_BIN='$(TMUX)' bash '$(abs_top_srcdir)/bench/run'

.PHONY: bench
