# fuzz/local.mk -- libFuzzer targets (`make fuzz`, clang --enable-fuzzing), replayed in check.
#
# Every target is fuzz/fuzz_NAME.c. With --enable-fuzzing it links libFuzzer as fuzz/fuzz_NAME;
# in every build it also links fuzz/replay.c (Check) as tests/test_fuzz_NAME, which `make check`
# runs over fuzz/regress/NAME/ (reproducers of bugs found) and fuzz/corpus/NAME/ (seeds).
FUZZ_SECONDS = 30
FUZZ_RSS_MB = 2048
FUZZ_NAMES = decode errbody text url sim jsonexact
FUZZ_ENGINE = -fsanitize=fuzzer

EXTRA_DIST += fuzz/corpus fuzz/regress fuzz/run.sh fuzz/capture.sh

if FUZZING
noinst_PROGRAMS += fuzz/fuzz_decode fuzz/fuzz_errbody fuzz/fuzz_text fuzz/fuzz_url fuzz/fuzz_sim \
	fuzz/fuzz_jsonexact
endif

fuzz_fuzz_decode_SOURCES = fuzz/fuzz_decode.c fuzz/fuzz.h
fuzz_fuzz_decode_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(FUZZ_ENGINE)
fuzz_fuzz_decode_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_ENGINE)
fuzz_fuzz_decode_LDADD = libnet.a libmodel.a $(JSONC_LIBS)

fuzz_fuzz_errbody_SOURCES = fuzz/fuzz_errbody.c fuzz/fuzz.h
fuzz_fuzz_errbody_CFLAGS = $(AM_CFLAGS) $(FUZZ_ENGINE)
fuzz_fuzz_errbody_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_ENGINE)
fuzz_fuzz_errbody_LDADD = libnet.a libmodel.a $(JSONC_LIBS)

fuzz_fuzz_text_SOURCES = fuzz/fuzz_text.c fuzz/fuzz.h
fuzz_fuzz_text_CFLAGS = $(AM_CFLAGS) $(FUZZ_ENGINE)
fuzz_fuzz_text_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_ENGINE)
fuzz_fuzz_text_LDADD = libtui.a libmodel.a

fuzz_fuzz_url_SOURCES = fuzz/fuzz_url.c fuzz/fuzz.h
fuzz_fuzz_url_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(FUZZ_ENGINE)
fuzz_fuzz_url_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_ENGINE)
fuzz_fuzz_url_LDADD = libnet.a libmodel.a $(JSONC_LIBS)

fuzz_fuzz_jsonexact_SOURCES = fuzz/fuzz_jsonexact.c fuzz/fuzz.h
fuzz_fuzz_jsonexact_CFLAGS = $(AM_CFLAGS) $(FUZZ_ENGINE)
fuzz_fuzz_jsonexact_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_ENGINE)
fuzz_fuzz_jsonexact_LDADD = libnet.a libmodel.a

fuzz_fuzz_sim_SOURCES = fuzz/fuzz_sim.c fuzz/fuzz.h
fuzz_fuzz_sim_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) $(JSONC_CFLAGS) $(FUZZ_ENGINE)
fuzz_fuzz_sim_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_ENGINE)
fuzz_fuzz_sim_LDADD = libsim.a libmodel.a $(MHD_LIBS) $(JSONC_LIBS) $(CRYPTO_LIBS) -lm

# `make fuzz [FUZZ_SECONDS=N]`: every target N seconds from its seeds, then a summary table.
if FUZZING
fuzz: fuzz/fuzz_decode fuzz/fuzz_errbody fuzz/fuzz_text fuzz/fuzz_url fuzz/fuzz_sim \
		fuzz/fuzz_jsonexact
	$(AM_V_at)$(SHELL) $(srcdir)/fuzz/run.sh $(srcdir) fuzz $(FUZZ_SECONDS) $(FUZZ_RSS_MB) \
		$(FUZZ_NAMES)
else
fuzz:
	@echo "make fuzz needs a libFuzzer build: CC=clang ./configure --enable-fuzzing" >&2; exit 1
endif
.PHONY: fuzz

# The replay side, in every build.
check_PROGRAMS += tests/test_fuzz_decode tests/test_fuzz_errbody tests/test_fuzz_text \
	tests/test_fuzz_url tests/test_fuzz_sim tests/test_fuzz_jsonexact
TESTS += tests/test_fuzz_decode tests/test_fuzz_errbody tests/test_fuzz_text \
	tests/test_fuzz_url tests/test_fuzz_sim tests/test_fuzz_jsonexact

tests_test_fuzz_decode_SOURCES = fuzz/fuzz_decode.c fuzz/replay.c fuzz/fuzz.h
tests_test_fuzz_decode_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JSONC_CFLAGS) \
	-DFUZZ_TARGET='"decode"'
tests_test_fuzz_decode_LDADD = libnet.a libmodel.a $(JSONC_LIBS) $(CHECK_LIBS)

tests_test_fuzz_errbody_SOURCES = fuzz/fuzz_errbody.c fuzz/replay.c fuzz/fuzz.h
tests_test_fuzz_errbody_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -DFUZZ_TARGET='"errbody"'
tests_test_fuzz_errbody_LDADD = libnet.a libmodel.a $(JSONC_LIBS) $(CHECK_LIBS)

tests_test_fuzz_text_SOURCES = fuzz/fuzz_text.c fuzz/replay.c fuzz/fuzz.h
tests_test_fuzz_text_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -DFUZZ_TARGET='"text"'
tests_test_fuzz_text_LDADD = libtui.a libmodel.a $(CHECK_LIBS)

tests_test_fuzz_url_SOURCES = fuzz/fuzz_url.c fuzz/replay.c fuzz/fuzz.h
tests_test_fuzz_url_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JSONC_CFLAGS) -DFUZZ_TARGET='"url"'
tests_test_fuzz_url_LDADD = libnet.a libmodel.a $(JSONC_LIBS) $(CHECK_LIBS)

tests_test_fuzz_jsonexact_SOURCES = fuzz/fuzz_jsonexact.c fuzz/replay.c fuzz/fuzz.h
tests_test_fuzz_jsonexact_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -DFUZZ_TARGET='"jsonexact"'
tests_test_fuzz_jsonexact_LDADD = libnet.a libmodel.a $(CHECK_LIBS)

tests_test_fuzz_sim_SOURCES = fuzz/fuzz_sim.c fuzz/replay.c fuzz/fuzz.h
tests_test_fuzz_sim_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(MHD_CFLAGS) $(JSONC_CFLAGS) \
	-DFUZZ_TARGET='"sim"'
tests_test_fuzz_sim_LDADD = libsim.a libmodel.a $(MHD_LIBS) $(JSONC_LIBS) $(CRYPTO_LIBS) \
	$(CHECK_LIBS) -lm
