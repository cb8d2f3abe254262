/* window.h: the domains of one connection, their state and last events, and a log */
#pragma once

#include <gtk/gtk.h>
#include <libvirt-gevents/libvirt-gevents.h>

G_BEGIN_DECLS

#define EXAMPLE_TYPE_WINDOW (example_window_get_type ())
G_DECLARE_FINAL_TYPE (ExampleWindow, example_window, EXAMPLE, WINDOW, GtkApplicationWindow)

ExampleWindow  *example_window_new            (GtkApplication *app, const gchar *uri);
GVirConnection *example_window_get_connection (ExampleWindow *self);
GListModel     *example_window_get_domains    (ExampleWindow *self);
GListModel     *example_window_get_log        (ExampleWindow *self);

G_END_DECLS
