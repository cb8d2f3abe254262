/*
 * test-utils.h: helpers shared by the libvirt-gevents tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Records every emission of the signals it is connected to. */
typedef struct {
    gchar *signal;
    GQuark detail;
    guint n_values;
    GValue *values;                 /* the arguments, instance excluded */
} TestEmission;

typedef struct {
    GPtrArray *emissions;           /* TestEmission */
} TestRecorder;

void          test_recorder_init    (TestRecorder *recorder);
void          test_recorder_clear   (TestRecorder *recorder);
gulong        test_recorder_connect (TestRecorder *recorder,
                                     gpointer      instance,
                                     const gchar  *detailed_signal);
TestEmission *test_recorder_get     (TestRecorder *recorder,
                                     guint         i);
guint         test_recorder_count   (TestRecorder *recorder);

/* Iterates the default main context until *counter >= n or timeout_ms passes. */
gboolean      test_wait_for_count   (const guint *counter,
                                     guint        n,
                                     guint        timeout_ms);

/*
 * Lets through exactly what libvirt-gobject 4.0 itself logs from its own
 * lifecycle callback (see test-utils.c); every other warning or critical
 * stays fatal.
 */
void          test_tolerate_libvirt_gobject_warnings (void);

/*
 * Tells tests/integration/hv-harness to kill -9 ("kill") or start ("start")
 * its libvirtd, through the FIFO it names in GVIR_EVENTS_CONTROL.
 */
void          test_control_daemon (const gchar *command);

/*
 * Sends one command ("drop", "stall S", "freeze", "release", "links") to
 * the fault-injecting relay of tests/integration/hv-harness, through the
 * socket it names in GVIR_EVENTS_RELAY_CONTROL, and waits for its reply,
 * which comes once the command took effect.  Asserts that it starts with
 * "ok"; returns the rest, stripped ("" or, for "links", the number of live
 * links): free it with g_free().
 */
gchar        *test_control_relay  (const gchar *command);

/*
 * Iterates the default main context for ms; returns the longest time, in
 * microseconds, it went without dispatching (a 10 ms timer's lateness).
 */
gint64        test_iterate_for      (guint ms);

/* Keeps the messages of a log domain and level that contain a string. */
typedef struct {
    const gchar *log_domain;
    const gchar *substring;
    guint handler;
    GPtrArray *messages;            /* gchar *, in order */
} TestLogCapture;

void          test_log_capture_start (TestLogCapture *capture,
                                      const gchar    *log_domain,
                                      GLogLevelFlags  level,
                                      const gchar    *substring);
void          test_log_capture_stop  (TestLogCapture *capture);

/*
 * Reads the domain XML template NAME.xml of DIR and fills its @KEY@
 * placeholders from the NULL-terminated KEY, VALUE list; every key must be
 * used, and no placeholder may be left.
 */
gchar        *test_domain_template   (const gchar *dir,
                                      const gchar *name,
                                      ...) G_GNUC_NULL_TERMINATED;

G_END_DECLS
