/*
 * gvir-events-util-private.h: the bottom layer, helpers every other file may use
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <signal.h>
#include <libvirt/libvirt.h>
#include <glib-object.h>

G_BEGIN_DECLS

/*
 * Nothing here calls another file of the library, and nothing here takes a
 * lock of the library's: every function may be called from any thread,
 * under any lock (the layers are in docs/design.md, "Layers").
 */

/* UUIDs as hash table keys: VIR_UUID_BUFLEN bytes. */
guint    _gvir_events_uuid_hash            (gconstpointer uuid);
gboolean _gvir_events_uuid_equal           (gconstpointer a,
                                            gconstpointer b);
/* The canonical string form of a UUID, without libvirt's debug formatting. */
void     _gvir_events_uuid_to_string       (const guint8 *uuid,
                                            gchar         out[VIR_UUID_STRING_BUFLEN]);

/*
 * Emits signal_id with values (the instance first) in context (NULL: the
 * global default): at once if this thread owns context (it is dispatching
 * it), else from an idle there with copies of the values (libvirt's strings
 * die with its callback).  Any thread, no lock of ours held by the caller
 * that a handler could take.
 */
void     _gvir_events_emit_in_context      (GMainContext *context,
                                            guint         signal_id,
                                            GQuark        detail,
                                            guint         n_values,
                                            const GValue *values);

/*
 * A signal made from a table row, with the C marshaller of its signature
 * (gvir-marshal.list); class_init only.
 */
guint    _gvir_events_signal_new           (const gchar *name,
                                            GType        itype,
                                            gboolean     detailed,
                                            guint        n_params,
                                            const GType *types);

/*
 * libvirt's remote driver writes to its socket with write(2): a daemon that
 * dies while a worker thread of ours talks to it raises SIGPIPE, whose
 * default action kills the program (virsh and Python ignore it; a C, GJS or
 * GTK program may not).  Our worker threads block it for their libvirt
 * calls and swallow the one they raised.  Worker threads only.
 */
typedef struct {
    sigset_t old_mask;
    gboolean was_pending;
} GVirEventsSigpipeGuard;

void     _gvir_events_sigpipe_block        (GVirEventsSigpipeGuard *guard);
void     _gvir_events_sigpipe_unblock      (GVirEventsSigpipeGuard *guard);

G_END_DECLS
