# net/local.mk -- the wire: URLs, JSON codecs, retry policy, the network thread.
noinst_HEADERS = net/msg.h net/net.h net/log.h
noinst_LIBRARIES += libnet.a
libnet_a_SOURCES = \
	net/msg.c net/msg.h \
	net/log.c net/log.h \
	net/url.c net/url.h \
	net/retry.c net/retry.h \
	net/decode.c net/decode.h \
	net/jsonexact.c net/jsonexact.h \
	net/errbody.c net/errbody.h \
	net/encode.c net/encode.h \
	net/snapshot.c net/snapshot.h \
	net/internal.h \
	net/xfer.c \
	net/seen.c \
	net/pager.c \
	net/list.c \
	net/parlist.c \
	net/watch.c \
	net/counts.c \
	net/oneshot.c \
	net/create.c \
	net/resubmit.c \
	net/upload.c \
	net/thread.c
libnet_a_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(JSONC_CFLAGS) $(CRYPTO_CFLAGS)
# Which file of net/ owns what (for newcomers; shipped in the tarball).
EXTRA_DIST += net/README
