/* seen.c -- every batch ID the thread has seen: order of first sighting, and ours or not. */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "model/clock.h"
#include "model/xalloc.h"
#include "net/decode.h"
#include "net/errbody.h"
#include "net/internal.h"
#include "net/log.h"
#include "net/retry.h"
#include "net/url.h"

/* The record of id, or NULL. */
struct seen *seen_find(const struct net *n, const char *id)
{
    return strmap_get(&n->seen, id);
}

void seen_note(struct net *n, const struct batch *b)
{
    if (b->id == NULL)
        return;
    struct seen *s = seen_find(n, b->id);
    if (s == NULL) {
        s = xcalloc(1, sizeof *s);
        s->seq = ++n->seen_seq;
        strmap_put(&n->seen, b->id, s);
    }
    s->created_ms = b->created_ms;
}
