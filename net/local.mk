# net/local.mk -- the wire: URLs, JSON codecs, retry policy, the network thread.
noinst_HEADERS = net/msg.h net/net.h net/log.h
