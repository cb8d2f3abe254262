/* test-hook.c: lets the tests read what the window shows
 *
 * Not part of the example proper: with GVIR_EVENTS_VIEWER_TEST=1 in the
 * environment the application reads commands on stdin and answers on
 * stdout, each answer ending with a line holding a single ".":
 *
 *   rows           one line per row the column view shows, read from its
 *                  widgets: row<TAB>name<TAB>state<TAB>last event<TAB>flag,
 *                  flag "error" when the label has the "error" style class
 *                  and the error icon is visible, "ok" when neither, else
 *                  "inconsistent"
 *   log            one line per event of the log pane's model: log<TAB>text
 *   status         the status line under the panes: status<TAB>text
 *   banner         the header bar's URI (uri<TAB>URI) and the "host away"
 *                  banner: banner<TAB>shown or banner<TAB>hidden
 *   snapshot PATH  renders the window into PATH (PNG): "saved PATH"
 *   close          closes the window the way its close button does, waits
 *                  for it to be finalized, then counts the handlers left on
 *                  the companions the window and its rows had subscribed
 *                  to: "closed handlers-left N" (or "closed
 *                  window-not-finalized"); the application then exits
 *
 * The application runs until "close" is answered or stdin is closed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gio/gunixinputstream.h>

#include "test-hook.h"

typedef struct {
    GApplication *app;
    ExampleWindow *window;        /* weak */
    GDataInputStream *input;
    GPtrArray *companions;        /* after "close": references to the subscribed companions */
    guint close_timeout;
    gchar *snapshot_path;         /* "snapshot": waiting for the next frame */
    gulong after_paint;
} Hook;

static void read_next (Hook *hook);

static void
reply (const gchar *line)
{
    g_print ("%s\n", line);
}

static void
end_reply (void)
{
    g_print (".\n");
    fflush (stdout);
}

static void
find_by_class (GtkWidget *widget, const gchar *css_class, GPtrArray *found)
{
    if (gtk_widget_has_css_class (widget, css_class))
        g_ptr_array_add (found, widget);
    for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
         child = gtk_widget_get_next_sibling (child))
        find_by_class (child, css_class, found);
}

/* The one descendant of @row with @css_class and of @type, or NULL. */
static GtkWidget *
find_in_row (GtkWidget *row, const gchar *css_class, GType type)
{
    g_autoptr (GPtrArray) found = g_ptr_array_new ();

    find_by_class (row, css_class, found);
    for (guint i = 0; i < found->len; i++)
        if (!G_TYPE_CHECK_INSTANCE_TYPE (found->pdata[i], type))
            g_ptr_array_remove_index (found, i--);
    return found->len == 1 ? found->pdata[0] : NULL;
}

static void
dump_rows (Hook *hook)
{
    g_autoptr (GPtrArray) names = g_ptr_array_new ();

    find_by_class (GTK_WIDGET (hook->window), "name", names);
    for (guint i = 0; i < names->len; i++) {
        GtkWidget *name = names->pdata[i];
        /* label -> column view cell -> row: the cells of a row are siblings */
        GtkWidget *row = gtk_widget_get_parent (gtk_widget_get_parent (name));

        if (!GTK_IS_LABEL (name) || !gtk_widget_get_mapped (name) ||
            gtk_label_get_text (GTK_LABEL (name))[0] == '\0')
            continue;   /* a recycled row showing nothing */
        GtkWidget *state = find_in_row (row, "state", GTK_TYPE_LABEL);
        GtkWidget *event = find_in_row (row, "last-event", GTK_TYPE_LABEL);
        GtkWidget *icon = find_in_row (row, "error", GTK_TYPE_IMAGE);
        if (state == NULL || event == NULL || icon == NULL) {
            reply ("row-widgets-missing");
            continue;
        }
        gboolean red = gtk_widget_has_css_class (event, "error");
        gboolean shown = gtk_widget_get_visible (icon);
        g_autofree gchar *line = g_strdup_printf ("row\t%s\t%s\t%s\t%s",
            gtk_label_get_text (GTK_LABEL (name)), gtk_label_get_text (GTK_LABEL (state)),
            gtk_label_get_text (GTK_LABEL (event)),
            red && shown ? "error" : !red && !shown ? "ok" : "inconsistent");
        reply (line);
    }
}

static void
dump_status (Hook *hook)
{
    g_autoptr (GPtrArray) labels = g_ptr_array_new ();

    find_by_class (GTK_WIDGET (hook->window), "status", labels);
    for (guint i = 0; i < labels->len; i++) {
        g_autofree gchar *line = g_strconcat ("status\t", gtk_label_get_text (labels->pdata[i]), NULL);
        reply (line);
    }
}

static void
dump_log (Hook *hook)
{
    GListModel *log = example_window_get_log (hook->window);

    /* the model the log's list view shows (it realizes the visible rows only) */
    for (guint i = 0; i < g_list_model_get_n_items (log); i++) {
        g_autoptr (GVirEvent) event = g_list_model_get_item (log, i);
        g_autofree gchar *time = g_date_time_format (gvir_event_get_time (event), "%H:%M:%S");
        g_autofree gchar *text = gvir_event_to_string (event);
        g_autofree gchar *out = g_strconcat ("log\t", time, "  ", text, NULL);
        reply (out);
    }
}

/* The header bar's URI, and whether the "host away" banner is shown. */
static void
dump_banner (Hook *hook)
{
    g_autoptr (GPtrArray) found = g_ptr_array_new ();

    find_by_class (GTK_WIDGET (hook->window), "uri", found);
    for (guint i = 0; i < found->len; i++) {
        g_autofree gchar *line = g_strconcat ("uri\t", gtk_label_get_text (found->pdata[i]), NULL);
        reply (line);
    }
    g_ptr_array_set_size (found, 0);
    find_by_class (GTK_WIDGET (hook->window), "banner", found);
    for (guint i = 0; i < found->len; i++)
        reply (gtk_revealer_get_reveal_child (found->pdata[i]) ? "banner\tshown" : "banner\thidden");
}

/* GTK 4 renders a widget to a texture: the widget's paintable snapshotted
 * into render nodes, rendered by the window's own renderer.  Done after a
 * frame was painted: the widget may need a new layout (rows just changed),
 * and a widget waiting for one draws nothing. */
static void
snapshot (Hook *hook, const gchar *path)
{
    GtkWidget *widget = GTK_WIDGET (hook->window);
    int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
    g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
    GtkSnapshot *snapshot = gtk_snapshot_new ();

    gdk_paintable_snapshot (paintable, snapshot, width, height);
    g_autoptr (GskRenderNode) node = gtk_snapshot_free_to_node (snapshot);
    GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (widget));
    if (node == NULL || renderer == NULL) {
        reply ("error nothing to render");
        return;
    }
    g_autoptr (GdkTexture) texture = gsk_renderer_render_texture (renderer, node,
        &GRAPHENE_RECT_INIT (0, 0, width, height));
    g_autofree gchar *line = g_strdup_printf (gdk_texture_save_to_png (texture, path) ?
                                              "saved %s" : "error cannot write %s", path);
    reply (line);
}

static void
after_paint (GdkFrameClock *clock, Hook *hook)
{
    g_clear_signal_handler (&hook->after_paint, clock);
    snapshot (hook, hook->snapshot_path);
    g_clear_pointer (&hook->snapshot_path, g_free);
    end_reply ();
    read_next (hook);
}

static void
snapshot_after_frame (Hook *hook, const gchar *path)
{
    GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (hook->window));

    hook->snapshot_path = g_strdup (path);
    hook->after_paint = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint), hook);
    gtk_widget_queue_draw (GTK_WIDGET (hook->window));
}

static guint
handlers_left (GObject *object)
{
    guint n_ids, left = 0;
    g_autofree guint *ids = g_signal_list_ids (G_OBJECT_TYPE (object), &n_ids);

    for (guint i = 0; i < n_ids; i++)
        left += g_signal_has_handler_pending (object, ids[i], 0, FALSE);
    return left;
}

static void
finish_close (Hook *hook, gboolean finalized)
{
    guint left = 0;

    g_clear_handle_id (&hook->close_timeout, g_source_remove);
    if (hook->window != NULL)
        g_object_remove_weak_pointer (G_OBJECT (hook->window), (gpointer *) &hook->window);
    for (guint i = 0; i < hook->companions->len; i++)
        left += handlers_left (hook->companions->pdata[i]);
    g_autofree gchar *line = finalized ? g_strdup_printf ("closed handlers-left %u", left)
                                       : g_strdup ("closed window-not-finalized");
    reply (line);
    end_reply ();
    g_ptr_array_unref (hook->companions);
    g_object_unref (hook->input);
    g_application_release (hook->app);
    g_free (hook);
}

static gboolean
window_finalized_idle (gpointer data)
{
    finish_close (data, TRUE);
    return G_SOURCE_REMOVE;
}

static void
window_finalized (gpointer data, GObject *where_the_window_was)
{
    Hook *hook = data;

    g_idle_add (window_finalized_idle, hook);   /* once the dispose chain is over */
}

static gboolean
close_timed_out (gpointer data)
{
    Hook *hook = data;

    hook->close_timeout = 0;
    g_object_weak_unref (G_OBJECT (hook->window), window_finalized, hook);
    finish_close (hook, FALSE);
    return G_SOURCE_REMOVE;
}

static void
close_window (Hook *hook)
{
    GListModel *domains = example_window_get_domains (hook->window);
    GVirConnection *conn = example_window_get_connection (hook->window);

    hook->companions = g_ptr_array_new_with_free_func (g_object_unref);
    if (conn != NULL)
        g_ptr_array_add (hook->companions, g_object_ref (gvir_connection_events_get_for_connection (conn)));
    for (guint i = 0; i < g_list_model_get_n_items (domains); i++)
        g_ptr_array_add (hook->companions, g_list_model_get_item (domains, i));
    g_object_weak_ref (G_OBJECT (hook->window), window_finalized, hook);
    hook->close_timeout = g_timeout_add_seconds (5, close_timed_out, hook);
    gtk_window_close (GTK_WINDOW (hook->window));
}

static void
got_line (GObject *source, GAsyncResult *result, gpointer data)
{
    Hook *hook = data;
    g_autoptr (GError) error = NULL;
    g_autofree gchar *line = g_data_input_stream_read_line_finish_utf8 (hook->input, result, NULL, &error);

    if (hook->window == NULL) {
        /* the window was closed otherwise than by "close": let go */
        g_object_unref (hook->input);
        g_application_release (hook->app);
        g_free (hook);
        return;
    }
    if (line == NULL) {
        /* stdin closed (the test died): close as the test would have, or
         * the application would run on */
        close_window (hook);
        return;
    }
    if (g_str_equal (line, "rows")) {
        dump_rows (hook);
    } else if (g_str_equal (line, "log")) {
        dump_log (hook);
    } else if (g_str_equal (line, "status")) {
        dump_status (hook);
    } else if (g_str_equal (line, "banner")) {
        dump_banner (hook);
    } else if (g_str_has_prefix (line, "snapshot ")) {
        snapshot_after_frame (hook, line + strlen ("snapshot "));
        return;   /* after_paint() answers */
    } else if (g_str_equal (line, "close")) {
        close_window (hook);
        return;   /* finish_close() answers */
    } else {
        g_autofree gchar *message = g_strdup_printf ("error unknown command %s", line);
        reply (message);
    }
    end_reply ();
    read_next (hook);
}

static void
read_next (Hook *hook)
{
    g_data_input_stream_read_line_async (hook->input, G_PRIORITY_DEFAULT, NULL, got_line, hook);
}

void
example_test_hook_attach (ExampleWindow *window)
{
    if (g_strcmp0 (g_getenv ("GVIR_EVENTS_VIEWER_TEST"), "1") != 0)
        return;

    Hook *hook = g_new0 (Hook, 1);
    g_autoptr (GInputStream) in = g_unix_input_stream_new (0, FALSE);

    hook->app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (window)));
    hook->window = window;
    g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &hook->window);
    hook->input = g_data_input_stream_new (in);
    g_application_hold (hook->app);   /* until "close" is answered */
    read_next (hook);
}
