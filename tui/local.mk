# tui/local.mk -- the ncurses front end and the batchtop program.
noinst_LIBRARIES += libtui.a
libtui_a_SOURCES = \
	tui/text.c tui/text.h \
	tui/keys.c tui/keys.h \
	tui/draw.c tui/draw.h \
	tui/term.c tui/term.h \
	tui/app.c tui/app.h \
	tui/apply.c tui/apply.h \
	tui/cache.c tui/cache.h \
	tui/demo.c tui/demo.h \
	tui/cli.c tui/cli.h \
	tui/cli_out.c tui/cli_out.h \
	tui/cli_results.c tui/cli_results.h \
	tui/settings.c tui/settings.h \
	tui/notify.c tui/notify.h \
	tui/screens.h \
	tui/list.c tui/batch.c tui/file.c tui/form.c tui/picker.c \
	tui/dialog.c tui/resubmit.c tui/upload.c tui/profiles.c tui/prompt.c tui/help.c tui/messages.c \
	tui/save.c tui/save.h
libtui_a_CFLAGS = $(AM_CFLAGS) $(NCURSES_CFLAGS) $(FORM_CFLAGS) $(JSONC_CFLAGS) $(INIH_CFLAGS)

bin_PROGRAMS += batchtop
batchtop_SOURCES = tui/main.c
batchtop_CFLAGS = $(AM_CFLAGS) $(NCURSES_CFLAGS)
batchtop_LDADD = libtui.a libnet.a libmodel.a $(FORM_LIBS) $(NCURSES_LIBS) $(CURL_LIBS) $(CRYPTO_LIBS) \
	$(JSONC_LIBS) $(INIH_LIBS)
