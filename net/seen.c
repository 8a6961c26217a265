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

/* The record of id, or NULL; valid until the next seen_note. */
struct seen *seen_find(const struct net *n, const char *id)
{
    size_t i;
    return strmap_get_index(&n->seen, id, &i) ? &n->seen_items[i] : NULL;
}

void seen_note(struct net *n, const struct batch *b)
{
    if (b->id == NULL)
        return;
    struct seen *s = seen_find(n, b->id);
    if (s == NULL) {
        if (n->n_seen == n->cap_seen) {
            n->cap_seen = n->cap_seen ? n->cap_seen * 2 : 256;
            n->seen_items = xreallocarray(n->seen_items, n->cap_seen, sizeof *n->seen_items);
        }
        s = &n->seen_items[n->n_seen];
        memset(s, 0, sizeof *s);
        s->seq = ++n->seen_seq;
        strmap_put_index(&n->seen, b->id, n->n_seen++);
    }
    s->created_ms = b->created_ms;
}

void seen_free(struct net *n)
{
    strmap_done(&n->seen);
    free(n->seen_items);
    n->seen_items = NULL;
    n->n_seen = n->cap_seen = 0;
}
