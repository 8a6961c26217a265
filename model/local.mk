# model/local.mk -- pure state: no curses, curl or json-c.
noinst_LIBRARIES += libmodel.a
libmodel_a_SOURCES = \
	model/xalloc.c model/xalloc.h \
	model/status.c model/status.h \
	model/clock.h model/objects.h model/store.h model/view.h model/detail.h
