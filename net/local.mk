# net/local.mk -- the wire: URLs, JSON codecs, retry policy, the network thread.
noinst_HEADERS = net/msg.h net/net.h net/log.h
noinst_LIBRARIES += libnet.a
libnet_a_SOURCES = \
	net/msg.c net/msg.h \
	net/log.c net/log.h \
	net/url.c net/url.h \
	net/retry.c net/retry.h \
	net/idmap.c net/idmap.h \
	net/decode.c net/decode.h \
	net/errbody.c net/errbody.h \
	net/thread.c
libnet_a_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(JSONC_CFLAGS)
