# model/local.mk -- pure state: no curses, curl or json-c.
noinst_LIBRARIES += libmodel.a
libmodel_a_SOURCES = \
	model/xalloc.c model/xalloc.h \
	model/status.c model/status.h \
	model/strmap.c model/strmap.h \
	model/clock.c model/clock.h \
	model/objects.c model/objects.h \
	model/counts.c model/counts.h \
	model/store.c model/store.h \
	model/view.c model/view.h \
	model/detail.c model/detail.h \
	model/triage.c model/triage.h \
	model/localsrc.c model/localsrc.h
