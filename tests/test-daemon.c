/*
 * test-daemon.c: a private libvirtd for tests that need a daemon to die
 *
 * The daemon runs in a temporary directory (its socket, pid file, log and
 * configuration: no TCP, no TLS, no authentication on the socket) and loads
 * no hypervisor driver module (LIBVIRT_DRIVER_DIR is an empty directory), so
 * only the test driver built into libvirt.so answers: test+unix:///default.
 * It dies with the test however the test dies (PR_SET_PDEATHSIG).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE 1
#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "test-daemon.h"

#define START_TIMEOUT_S 20

struct _TestDaemon {
    gchar *libvirtd;
    gchar *dir;
    gchar *conf;
    gchar *socket;
    gchar *log;
    gchar *uri;
    GPid pid;
};

TestDaemon *
test_daemon_new (gchar **skip_reason)
{
    static const gchar *candidates[] = { "/usr/sbin/libvirtd", "/usr/local/sbin/libvirtd" };
    g_autoptr(GError) error = NULL;
    g_autofree gchar *conf_text = NULL, *drivers = NULL;
    TestDaemon *daemon;
    const gchar *libvirtd = NULL;

    for (guint i = 0; i < G_N_ELEMENTS (candidates) && !libvirtd; i++)
        if (g_file_test (candidates[i], G_FILE_TEST_IS_EXECUTABLE))
            libvirtd = candidates[i];
    if (!libvirtd) {
        *skip_reason = g_strdup ("no libvirtd (Debian package libvirt-daemon)");
        return NULL;
    }

    daemon = g_new0 (TestDaemon, 1);
    daemon->libvirtd = g_strdup (libvirtd);
    daemon->dir = g_dir_make_tmp ("gvir-events-daemon-XXXXXX", &error);
    g_assert_no_error (error);
    daemon->conf = g_build_filename (daemon->dir, "libvirtd.conf", NULL);
    daemon->socket = g_build_filename (daemon->dir, "libvirt-sock", NULL);
    daemon->log = g_build_filename (daemon->dir, "libvirtd.log", NULL);
    daemon->uri = g_strdup_printf ("test+unix:///default?socket=%s", daemon->socket);
    drivers = g_build_filename (daemon->dir, "drivers", NULL);
    conf_text = g_strdup_printf ("unix_sock_dir = \"%s\"\n"
                                 "listen_tcp = 0\n"
                                 "listen_tls = 0\n"
                                 "auth_unix_rw = \"none\"\n"
                                 "auth_unix_ro = \"none\"\n"
                                 "log_outputs = \"3:file:%s\"\n",
                                 daemon->dir, daemon->log);
    g_assert_true (g_file_set_contents (daemon->conf, conf_text, -1, &error));
    g_assert_cmpint (g_mkdir (drivers, 0700), ==, 0);
    return daemon;
}

const gchar *
test_daemon_get_uri (TestDaemon *daemon)
{
    return daemon->uri;
}

static void
child_setup (gpointer data)
{
    /* dies with the test, however the test dies */
    prctl (PR_SET_PDEATHSIG, SIGKILL);
    g_setenv ("LIBVIRT_DRIVER_DIR", data, TRUE);
}

gboolean
test_daemon_start (TestDaemon *daemon, GError **error)
{
    g_autofree gchar *pid_file = g_build_filename (daemon->dir, "pid", NULL);
    g_autofree gchar *drivers = g_build_filename (daemon->dir, "drivers", NULL);
    const gchar *argv[] = { daemon->libvirtd, "-f", daemon->conf, "-p", pid_file, NULL };
    gint64 deadline;

    g_assert_cmpint (daemon->pid, ==, 0);
    g_unlink (daemon->socket);
    if (!g_spawn_async (daemon->dir, (gchar **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                        child_setup, drivers, &daemon->pid, error))
        return FALSE;

    deadline = g_get_monotonic_time () + START_TIMEOUT_S * G_USEC_PER_SEC;
    while (!g_file_test (daemon->socket, G_FILE_TEST_EXISTS)) {
        int status;

        if (waitpid (daemon->pid, &status, WNOHANG) == daemon->pid) {
            g_autofree gchar *text = NULL;

            daemon->pid = 0;
            g_file_get_contents (daemon->log, &text, NULL, NULL);
            g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
                         "libvirtd exited at start (status %d); its log: %s", status,
                         text ? text : "(none)");
            return FALSE;
        }
        if (g_get_monotonic_time () > deadline) {
            test_daemon_kill (daemon);
            g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
                         "libvirtd did not create %s in %d s", daemon->socket, START_TIMEOUT_S);
            return FALSE;
        }
        g_usleep (20 * 1000);
    }
    return TRUE;
}

/* SIGKILL: the link dies as it does when a daemon crashes or is restarted. */
void
test_daemon_kill (TestDaemon *daemon)
{
    if (!daemon->pid)
        return;
    kill (daemon->pid, SIGKILL);
    waitpid (daemon->pid, NULL, 0);
    g_spawn_close_pid (daemon->pid);
    daemon->pid = 0;
}

static void
remove_tree (const gchar *path)
{
    GDir *dir = g_dir_open (path, 0, NULL);
    const gchar *name;

    while (dir && (name = g_dir_read_name (dir))) {
        g_autofree gchar *child = g_build_filename (path, name, NULL);

        if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            remove_tree (child);
        else
            g_unlink (child);
    }
    if (dir)
        g_dir_close (dir);
    g_rmdir (path);
}

void
test_daemon_free (TestDaemon *daemon)
{
    test_daemon_kill (daemon);
    remove_tree (daemon->dir);
    g_free (daemon->libvirtd);
    g_free (daemon->dir);
    g_free (daemon->conf);
    g_free (daemon->socket);
    g_free (daemon->log);
    g_free (daemon->uri);
    g_free (daemon);
}
