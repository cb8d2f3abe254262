/*
 * gen-signal-table: prints the signals of GVirDomainEvents from the event
 * table the library is driven by, so the documentation cannot drift from it.
 *
 * Usage: gen-signal-table [--docbook | --markdown]
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gvir-events-private.h"

/* what stands for the libvirt event ID of the rows the library polls for */
#define POLLED_BY "none: the guest agent, asked (virDomainGetGuestInfo)"

static const gchar *
c_type (GType type)
{
    switch (G_TYPE_FUNDAMENTAL (type)) {
    case G_TYPE_STRING:  return "const gchar *";
    case G_TYPE_INT:     return "gint";
    case G_TYPE_UINT:    return "guint";
    case G_TYPE_INT64:   return "gint64";
    case G_TYPE_UINT64:  return "guint64";
    case G_TYPE_VARIANT: return "GVariant *";
    case G_TYPE_OBJECT:  return "GVirGraphicsClient *";
    default:             return g_type_name (type);
    }
}

static gchar *
arguments (const GVirEventSpec *spec)
{
    GString *s = g_string_new (NULL);

    for (guint i = 0; i < spec->n_params; i++) {
        const gchar *type = c_type (gvir_event_spec_param_type (spec, i));

        g_string_append_printf (s, "%s%s%s%s", i ? ", " : "", type,
                                g_str_has_suffix (type, "*") ? "" : " ", spec->params[i].name);
    }
    if (spec->n_params == 0)
        g_string_append (s, "none");
    return g_string_free (s, FALSE);
}

static gchar *
detail (const GVirEventSpec *spec)
{
    if (spec->detail == GVIR_EVENT_DETAIL_NONE)
        return g_strdup ("");
    return g_strdup_printf (G_TYPE_IS_ENUM (gvir_event_spec_param_type (spec, 0)) ?
                            "%s (its nick)" : "%s", spec->params[0].name);
}

/* The table of GVirConnectionEvents' signals for the other objects, from the sibling table. */
static int
print_object_table (void)
{
    g_print ("<informaltable><tgroup cols=\"4\"><thead><row>"
             "<entry>signal</entry><entry>arguments</entry>"
             "<entry>libvirt event ID</entry><entry>detail</entry></row></thead><tbody>\n");
    for (GVirObjectEventKind kind = 0; kind < GVIR_OBJECT_EVENT_N_KINDS; kind++) {
        const GVirObjectEventSpec *spec = gvir_object_event_spec_for_kind (kind);
        const gchar *name = gvir_object_event_kind_name (kind);
        GString *args = g_string_new (NULL);
        g_autofree gchar *how = NULL;

        g_string_append_printf (args, "<type>%s *%s</type>",
                                g_type_name (spec->family->object_type ()), spec->family->name);
        for (guint i = 0; i < spec->n_params; i++) {
            GType type = gvir_object_event_param_type (spec, i);

            if (G_TYPE_IS_ENUM (type)) {
                g_string_append_printf (args, ", <link linkend=\"%s\"><type>%s</type></link> %s",
                                        g_type_name (type), g_type_name (type), spec->params[i].name);
                if (i == 0)
                    how = g_strdup_printf ("%s (its nick)", spec->params[0].name);
            } else {
                g_string_append_printf (args, ", <type>%s</type> %s", c_type (type),
                                        spec->params[i].name);
            }
        }
        g_print ("<row><entry><link linkend=\"GVirConnectionEvents-%s\">%s</link></entry>"
                 "<entry>%s</entry><entry><literal>%s</literal></entry><entry>%s</entry></row>\n",
                 name, name, args->str, spec->virt_id_name, how ? how : "");
        g_string_free (args, TRUE);
    }
    g_print ("</tbody></tgroup></informaltable>\n");
    return 0;
}

int
main (int argc, char **argv)
{
    gboolean docbook = argc > 1 && g_str_equal (argv[1], "--docbook");

    if (argc > 1 && g_str_equal (argv[1], "--docbook-objects"))
        return print_object_table ();

    if (docbook)
        g_print ("<informaltable><tgroup cols=\"4\"><thead><row>"
                 "<entry>signal</entry><entry>libvirt event ID</entry>"
                 "<entry>arguments</entry><entry>detail</entry></row></thead><tbody>\n");
    else
        g_print ("| signal | libvirt event ID | arguments | detail |\n|---|---|---|---|\n");

    for (GVirDomainEventKind kind = 0; kind < GVIR_EVENT_N_KINDS; kind++) {
        const GVirEventSpec *spec = gvir_event_spec_for_kind (kind);
        g_autofree gchar *args = arguments (spec);
        g_autofree gchar *how = detail (spec);

        if (docbook) {
            g_autofree gchar *escaped = g_markup_escape_text (args, -1);

            g_autofree gchar *id = spec->virt_id_name ?
                g_strdup_printf ("<literal>VIR_DOMAIN_EVENT_ID_%s</literal>", spec->virt_id_name) :
                g_strdup (POLLED_BY);

            g_print ("<row><entry><link linkend=\"GVirDomainEvents-%s\">%s</link></entry>"
                     "<entry>%s</entry>"
                     "<entry><literal>%s</literal></entry><entry>%s</entry></row>\n",
                     gvir_event_kind_name (kind), gvir_event_kind_name (kind),
                     id, escaped, how);
        } else {
            g_autofree gchar *id = spec->virt_id_name ?
                g_strdup_printf ("`%s`", spec->virt_id_name) : g_strdup (POLLED_BY);

            g_print ("| `%s` | %s | `%s` | %s |\n", gvir_event_kind_name (kind),
                     id, args, how);
        }
    }

    if (docbook)
        g_print ("</tbody></tgroup></informaltable>\n");
    return 0;
}
