/*
 * gvir-events-util.c: the bottom layer, helpers every other file may use
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <pthread.h>
#include <time.h>

#include "gvir-events-util-private.h"
#include "gvir-marshal.h"

/* UUIDs are random: their first bytes are as good a hash as any. */
guint
_gvir_events_uuid_hash (gconstpointer uuid)
{
    guint hash;

    memcpy (&hash, uuid, sizeof (hash));
    return hash;
}

gboolean
_gvir_events_uuid_equal (gconstpointer a, gconstpointer b)
{
    return memcmp (a, b, VIR_UUID_BUFLEN) == 0;
}

/*
 * virDomainGetUUIDString() costs 2 µs (libvirt formats the UUID twice, once
 * for its debug log); the hub has the bytes already.
 */
void
_gvir_events_uuid_to_string (const guint8 *uuid, gchar out[VIR_UUID_STRING_BUFLEN])
{
    static const gchar hex[] = "0123456789abcdef";
    gchar *p = out;

    for (guint i = 0; i < VIR_UUID_BUFLEN; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hex[uuid[i] >> 4];
        *p++ = hex[uuid[i] & 0xf];
    }
    *p = '\0';
}

typedef struct {
    guint signal_id;
    GQuark detail;
    guint n_values;
    GValue values[];
} PendingEmission;

static gboolean
emit_pending (gpointer data)
{
    PendingEmission *p = data;

    g_signal_emitv (p->values, p->signal_id, p->detail, NULL);
    return G_SOURCE_REMOVE;
}

static void
pending_free (gpointer data)
{
    PendingEmission *p = data;

    for (guint i = 0; i < p->n_values; i++)
        g_value_unset (&p->values[i]);
    g_free (p);
}

void
_gvir_events_emit_in_context (GMainContext *context, guint signal_id, GQuark detail,
                              guint n_values, const GValue *values)
{
    PendingEmission *p;
    GSource *idle;

    /*
     * Here and now only if this thread is dispatching the context (libvirt's
     * event loop runs in it: the usual case).  A context that is merely this
     * thread's default is not one this thread runs: like GDBus, an idle.
     */
    if (g_main_context_is_owner (context ? context : g_main_context_default ())) {
        g_signal_emitv (values, signal_id, detail, NULL);
        return;
    }

    p = g_malloc0 (sizeof (PendingEmission) + n_values * sizeof (GValue));
    p->signal_id = signal_id;
    p->detail = detail;
    p->n_values = n_values;
    for (guint i = 0; i < n_values; i++) {
        g_value_init (&p->values[i], G_VALUE_TYPE (&values[i]));
        g_value_copy (&values[i], &p->values[i]);
    }
    idle = g_idle_source_new ();
    g_source_set_priority (idle, G_PRIORITY_DEFAULT);
    g_source_set_callback (idle, emit_pending, p, pending_free);
    g_source_set_name (idle, "[libvirt-gevents] emission");
    g_source_attach (idle, context ? context : g_main_context_default ());
    g_source_unref (idle);
}

/* The C marshallers of gvir-marshal.list, by signature. */
#define MARSHAL(name) { #name, _gvir_marshal_##name, _gvir_marshal_##name##v }
static const struct {
    const gchar *signature;
    GSignalCMarshaller marshaller;
    GSignalCVaMarshaller va_marshaller;
} marshallers[] = {
    MARSHAL (VOID__VOID), MARSHAL (VOID__ENUM_INT), MARSHAL (VOID__INT64),
    MARSHAL (VOID__ENUM), MARSHAL (VOID__STRING_STRING_STRING_ENUM_STRING),
    MARSHAL (VOID__OBJECT), MARSHAL (VOID__STRING_ENUM_ENUM),
    MARSHAL (VOID__STRING_STRING_STRING_ENUM), MARSHAL (VOID__STRING_ENUM),
    MARSHAL (VOID__INT), MARSHAL (VOID__UINT64), MARSHAL (VOID__STRING),
    MARSHAL (VOID__VARIANT), MARSHAL (VOID__ENUM_ENUM), MARSHAL (VOID__ENUM_STRING),
    MARSHAL (VOID__STRING_STRING_UINT64_UINT64), MARSHAL (VOID__ENUM_ENUM_FLAGS),
    MARSHAL (VOID__STRING_UINT64), MARSHAL (VOID__OBJECT_ENUM_INT),
    MARSHAL (VOID__OBJECT_ENUM_VARIANT), MARSHAL (VOID__STRING_STRING_INT64),
};

/* NULL for a signature without one: GLib then falls back to libffi. */
static GSignalCMarshaller
find_marshaller (guint n_params, const GType *types, GSignalCVaMarshaller *va_marshaller)
{
    g_autoptr(GString) signature = g_string_new ("VOID_");

    if (n_params == 0)
        g_string_append (signature, "_VOID");
    for (guint i = 0; i < n_params; i++) {
        const gchar *name;

        switch (G_TYPE_FUNDAMENTAL (types[i])) {
        case G_TYPE_ENUM:    name = "ENUM"; break;
        case G_TYPE_INT:     name = "INT"; break;
        case G_TYPE_UINT:    name = "UINT"; break;
        case G_TYPE_FLAGS:   name = "FLAGS"; break;
        case G_TYPE_INT64:   name = "INT64"; break;
        case G_TYPE_UINT64:  name = "UINT64"; break;
        case G_TYPE_STRING:  name = "STRING"; break;
        case G_TYPE_OBJECT:  name = "OBJECT"; break;
        case G_TYPE_VARIANT: name = "VARIANT"; break;
        default:             return NULL;
        }
        g_string_append_printf (signature, "_%s", name);
    }
    for (guint i = 0; i < G_N_ELEMENTS (marshallers); i++) {
        if (g_str_equal (marshallers[i].signature, signature->str)) {
            *va_marshaller = marshallers[i].va_marshaller;
            return marshallers[i].marshaller;
        }
    }
    return NULL;
}

/*
 * A signal of a table row, with the C marshaller of its signature; any
 * library signal made from a table row is made here.
 */
guint
_gvir_events_signal_new (const gchar *name, GType itype, gboolean detailed,
                        guint n_params, const GType *types)
{
    GSignalCVaMarshaller va_marshaller = NULL;
    GSignalCMarshaller marshaller = find_marshaller (n_params, types, &va_marshaller);
    guint signal_id;

    /* a new row whose signature gvir-marshal.list lacks still works, through libffi */
    g_warn_if_fail (marshaller != NULL);
    signal_id = g_signal_newv (name, itype,
                               G_SIGNAL_RUN_LAST | (detailed ? G_SIGNAL_DETAILED : 0),
                               NULL, NULL, NULL, marshaller,
                               G_TYPE_NONE, n_params, (GType *) types);
    if (marshaller)
        g_signal_set_va_marshaller (signal_id, itype, va_marshaller);
    return signal_id;
}

void
_gvir_events_sigpipe_block (GVirEventsSigpipeGuard *guard)
{
    sigset_t pipe_only, pending;

    sigemptyset (&pipe_only);
    sigaddset (&pipe_only, SIGPIPE);
    sigemptyset (&pending);
    sigpending (&pending);
    guard->was_pending = sigismember (&pending, SIGPIPE) == 1;
    pthread_sigmask (SIG_BLOCK, &pipe_only, &guard->old_mask);
}

void
_gvir_events_sigpipe_unblock (GVirEventsSigpipeGuard *guard)
{
    sigset_t pipe_only, pending;

    sigemptyset (&pipe_only);
    sigaddset (&pipe_only, SIGPIPE);
    sigemptyset (&pending);
    sigpending (&pending);
    /* ours, not one the program had pending already: take it off the thread */
    if (!guard->was_pending && sigismember (&pending, SIGPIPE) == 1) {
        const struct timespec no_wait = { 0, 0 };

        sigtimedwait (&pipe_only, NULL, &no_wait);
    }
    pthread_sigmask (SIG_SETMASK, &guard->old_mask, NULL);
}
