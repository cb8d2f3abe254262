/*
 * test-daemon.h: a private libvirtd (test driver only) that a test can kill
 * and start again
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _TestDaemon TestDaemon;

/* NULL, with a reason in *skip_reason, where libvirtd cannot run here. */
TestDaemon  *test_daemon_new      (gchar **skip_reason);
/* test+unix:///default?socket=... */
const gchar *test_daemon_get_uri  (TestDaemon *daemon);
gboolean     test_daemon_start    (TestDaemon *daemon, GError **error);
void         test_daemon_kill     (TestDaemon *daemon);
/* Kills the daemon if it runs, removes its directory. */
void         test_daemon_free     (TestDaemon *daemon);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestDaemon, test_daemon_free)

G_END_DECLS
