# tui/local.mk -- the ncurses front end and the batchtop program.
noinst_LIBRARIES += libtui.a
libtui_a_SOURCES = \
	tui/text.c tui/text.h \
	tui/keys.c tui/keys.h
libtui_a_CFLAGS = $(AM_CFLAGS) $(NCURSES_CFLAGS)

bin_PROGRAMS += batchtop
batchtop_SOURCES = tui/main.c
batchtop_LDADD = libmodel.a $(FORM_LIBS) $(NCURSES_LIBS) $(CURL_LIBS) $(JSONC_LIBS)
