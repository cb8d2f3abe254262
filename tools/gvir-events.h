/*
 * gvir-events.h: the parts of gvir-events its files share (private)
 *
 * gvir-events.c is the monitor (options, hosts, events), gvir-events-output.c
 * writes what it hears (text, JSON, CloudEvents, the journal) and
 * gvir-events-demo.c is `gvir-events demo`, a monitor with a scenario.
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <json-glib/json-glib.h>
#include <libvirt-gevents/libvirt-gevents.h>

G_BEGIN_DECLS

/* The exit statuses, documented in docs/gvir-events.md and --help. */
enum {
    EXIT_OK = 0,
    EXIT_FAILURE_OTHER = 1,     /* the demo failed, output could not be written, no journal */
    EXIT_USAGE = 2,             /* bad option, malformed URI, unknown event kind */
    /* 3 was "no host could be reached": hosts down at start are retried now */
    EXIT_NO_DOMAIN = 4,         /* a --domain no reachable host has */
};

typedef enum {
    FORMAT_TEXT,
    FORMAT_JSON,
    FORMAT_CLOUDEVENTS,
} OutputFormat;

typedef struct _Monitor Monitor;

typedef struct {
    Monitor *monitor;
    gchar *uri;
    GVirConnection *conn;
    GVirConnectionEvents *events;
    gboolean up;
    gboolean opening;
    guint retry;
    guint retry_delay;          /* s, doubled per failure; 0: not failed yet */
    gchar *error;               /* why the last open failed */
    GPtrArray *asked;           /* GVirDomainEvents whose guest agent is asked */
    guint64 seq;                /* the last line's sequence number (the first is 1) */
    gchar *run_id;              /* a UUID of this run for this host: CloudEvents ids */
    gint64 down_since;          /* monotonic µs of the "disconnected" line; 0: up */
} Host;

struct _Monitor {
    GPtrArray *hosts;
    gchar **domains;
    GPtrArray *filters;
    OutputFormat format;
    gboolean journal;           /* entries in the journal instead of lines */
    gint count;                 /* 0: no limit */
    gint seen;
    gdouble timeout;            /* seconds, 0: none */
    gint64 deadline;            /* monotonic, of --timeout */
    gboolean color;
    guint host_width;
    guint name_width;
    guint opening;              /* hosts whose first open is under way */
    GMainLoop *loop;
    gint status;
    gboolean stopping;
    guint timer;                /* --timeout */
    GHashTable *counts;         /* the demo's: kind -> events seen */
    gint64 guest_users_interval; /* seconds; -1: the library's default */
};

/*
 * One thing heard, whatever writes it: an event of a domain or another
 * object, or a host going away or coming back.
 */
typedef struct {
    GDateTime *time;
    const gchar *kind;          /* the signal's name, "disconnected", "reconnected" */
    const gchar *name_key;      /* "domain", "network", "pool"...: NULL for a host's state */
    const gchar *name;          /* the object's name */
    const gchar *uuid;
    JsonObject *data;
    const gchar *column;        /* the text line's name column */
    const gchar *words;         /* the text line's words */
    const gchar *words_color;   /* their colour on a terminal */
} Record;

/* gvir-events.c */
void     monitor_start   (Monitor             *m,
                          const gchar * const *uris);
gint     monitor_run     (Monitor             *m);
void     monitor_fail    (Monitor             *m,
                          gint                 status);

/* gvir-events-output.c */
gboolean output_open     (Monitor             *m,
                          GError             **error);
void     output_record   (Host                *host,
                          const Record        *record);

/* gvir-events-demo.c */
gint     run_demo        (gint                 argc,
                          gchar              **argv);

G_END_DECLS
