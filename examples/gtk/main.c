/* main.c: gvir-events-viewer [URI], a GTK 4 window on libvirt-gevents
 *
 * Lists the domains of URI (default test:///default) with their state,
 * each one's last notable event (I/O error, watchdog, VNC client,
 * watermark, reboot), and a log of every event of every domain.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <signal.h>

#include "window.h"
#include "test-hook.h"

static int
on_command_line (GApplication *app, GApplicationCommandLine *command_line)
{
    gint argc;
    g_auto (GStrv) argv = g_application_command_line_get_arguments (command_line, &argc);

    if (argc > 2) {
        g_application_command_line_printerr (command_line, "usage: %s [URI]\n", argv[0]);
        return 2;
    }
    ExampleWindow *window = example_window_new (GTK_APPLICATION (app),
                                                argc == 2 ? argv[1] : "test:///default");
    gtk_window_present (GTK_WINDOW (window));
    example_test_hook_attach (window);   /* does nothing unless the tests ask */
    return 0;
}

int
main (int argc, char **argv)
{
    /* First, before any connection: it makes GLib's main loop libvirt's event
     * loop (GVirConnection would too; raw libvirt connections need it) and keeps
     * libvirt from printing the errors it also returns as GErrors. */
    gvir_init_object (&argc, &argv);

    /* libvirt writes to its daemon's socket with write(2): a daemon that
     * dies (an upgrade) would end the program with SIGPIPE, as it would
     * virsh if virsh did not ignore it too. */
    signal (SIGPIPE, SIG_IGN);

    /* NON_UNIQUE: each run shows its own URI, it does not hand it to a
     * running instance. */
    g_autoptr (GtkApplication) app = gtk_application_new ("org.libvirt.GEvents.Viewer",
                                                          G_APPLICATION_HANDLES_COMMAND_LINE |
                                                          G_APPLICATION_NON_UNIQUE);
    g_signal_connect (app, "command-line", G_CALLBACK (on_command_line), NULL);
    return g_application_run (G_APPLICATION (app), argc, argv);
}
