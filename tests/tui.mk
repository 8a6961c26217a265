# tests/tui.mk -- tests for tui/: unit tests of the key table, the text sanitizer and the
# out-of-memory path, the tmux end-to-end scripts and the canned server they use.
check_PROGRAMS += tests/test_tui_text tests/test_tui_keys
TESTS += tests/test_tui_text tests/test_tui_keys

tests_test_tui_text_SOURCES = tests/test_tui_text.c
tests_test_tui_text_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_tui_text_LDADD = libtui.a libmodel.a $(CHECK_LIBS)

# The subcommands' printers (CSV, TSV, JSON, table).
check_PROGRAMS += tests/test_cli_out
TESTS += tests/test_cli_out
tests_test_cli_out_SOURCES = tests/test_cli_out.c
tests_test_cli_out_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JSONC_CFLAGS)
tests_test_cli_out_LDADD = libtui.a libnet.a libmodel.a $(JSONC_LIBS) $(CHECK_LIBS)

tests_test_tui_keys_SOURCES = tests/test_tui_keys.c
tests_test_tui_keys_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(NCURSES_CFLAGS)
tests_test_tui_keys_LDADD = libtui.a libmodel.a $(NCURSES_LIBS) $(CHECK_LIBS)

# A server that answers from files: the hostile answers of tests/e2e/hostile.sh.
check_PROGRAMS += tests/canned-server
tests_canned_server_SOURCES = tests/canned_server.c
tests_canned_server_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS)
tests_canned_server_LDADD = $(MHD_LIBS)

# Terminal tests: the real batchtop in a private tmux against a live batchtop-sim.
E2E_TESTS = tests/e2e/list.sh tests/e2e/create.sh tests/e2e/batch.sh tests/e2e/safety.sh \
	tests/e2e/faults.sh tests/e2e/fidelity.sh tests/e2e/hostile.sh tests/e2e/fatal.sh \
	tests/e2e/usage.sh tests/e2e/latency.sh tests/e2e/cache.sh tests/e2e/hostile2.sh \
	tests/e2e/bigbatch.sh tests/e2e/cli.sh tests/e2e/cli2.sh tests/e2e/resubmit_tui.sh \
	tests/e2e/config.sh tests/e2e/notify.sh tests/e2e/triage.sh tests/e2e/resubmit.sh \
	tests/e2e/counts.sh tests/e2e/upload.sh tests/e2e/upload_tui.sh
TESTS += $(E2E_TESTS)
EXTRA_DIST += tests/e2e/lib.sh tests/e2e/clilib.sh $(E2E_TESTS)

# The configuration file: settings, precedence, errors with file:line, api_key_command.
check_PROGRAMS += tests/test_settings
TESTS += tests/test_settings
tests_test_settings_SOURCES = tests/test_settings.c
tests_test_settings_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(INIH_CFLAGS) $(NCURSES_CFLAGS)
tests_test_settings_LDADD = libtui.a libnet.a libmodel.a $(INIH_LIBS) $(NCURSES_LIBS) $(CURL_LIBS) $(CRYPTO_LIBS) $(JSONC_LIBS) $(CHECK_LIBS)
