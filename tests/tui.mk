# tests/tui.mk -- tests for tui/: unit tests of the key table and the text sanitizer.
check_PROGRAMS += tests/test_tui_text tests/test_tui_keys
TESTS += tests/test_tui_text tests/test_tui_keys

tests_test_tui_text_SOURCES = tests/test_tui_text.c
tests_test_tui_text_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_tui_text_LDADD = libtui.a libmodel.a $(CHECK_LIBS)

tests_test_tui_keys_SOURCES = tests/test_tui_keys.c
tests_test_tui_keys_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(NCURSES_CFLAGS)
tests_test_tui_keys_LDADD = libtui.a libmodel.a $(NCURSES_LIBS) $(CHECK_LIBS)
