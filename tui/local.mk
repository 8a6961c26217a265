# tui/local.mk -- the ncurses front end and the batchtop program.
bin_PROGRAMS += batchtop
batchtop_SOURCES = tui/main.c
batchtop_LDADD = libmodel.a $(FORM_LIBS) $(NCURSES_LIBS) $(CURL_LIBS) $(JSONC_LIBS)
