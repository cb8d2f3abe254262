/*
 * gen-signal-table: prints the signals of GVirDomainEvents from the event
 * table the library is driven by, so the documentation cannot drift from it.
 *
 * Usage: gen-signal-table [--docbook | --markdown | --docbook-objects | --docbook-details]
 *
 * A detailed signal accepts any detail at connect time and a misspelt one
 * never matches, so the tables spell out the valid details: an enum
 * argument's nicks, listed by --docbook-details for every enum a detail or
 * an argument can be.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <libvirt-gevents/libvirt-gevents.h>
#include "gvir-event-table-private.h"

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
        const gchar *type = c_type (_gvir_event_spec_param_type (spec, i));

        g_string_append_printf (s, "%s%s%s%s", i ? ", " : "", type,
                                g_str_has_suffix (type, "*") ? "" : " ", spec->params[i].name);
    }
    if (spec->n_params == 0)
        g_string_append (s, "none");
    return g_string_free (s, FALSE);
}

/* "a, b, c": the nicks of an enum's values, in @before ... @after each */
static gchar *
nicks (GType type, const gchar *before, const gchar *after)
{
    g_autoptr (GEnumClass) klass = g_type_class_ref (type);
    GString *s = g_string_new (NULL);

    for (guint i = 0; i < klass->n_values; i++)
        g_string_append_printf (s, "%s%s%s%s", i ? ", " : "", before,
                                klass->values[i].value_nick, after);
    return g_string_free (s, FALSE);
}

/* The detail cell: the argument, and the valid details when it is an enum */
static gchar *
detail_text (const gchar *param, GType type, gboolean docbook)
{
    if (!G_TYPE_IS_ENUM (type))
        return g_strdup (param);
    g_autofree gchar *valid = docbook ? nicks (type, "<literal>", "</literal>") : nicks (type, "`", "`");
    return g_strdup_printf ("%s, one of %s", param, valid);
}

static gchar *
detail (const GVirEventSpec *spec, gboolean docbook)
{
    if (spec->detail == GVIR_EVENT_DETAIL_NONE)
        return g_strdup ("");
    return detail_text (spec->params[0].name, _gvir_event_spec_param_type (spec, 0), docbook);
}

/* Every enum of the signals' arguments, and the two kinds that detail the
 * connection-wide signals, with their nicks. */
static int
print_details_table (void)
{
    g_autoptr (GArray) types = g_array_new (FALSE, FALSE, sizeof (GType));
    GType kinds[] = { GVIR_TYPE_DOMAIN_EVENT_KIND, GVIR_TYPE_OBJECT_EVENT_KIND };

    g_array_append_vals (types, kinds, G_N_ELEMENTS (kinds));
    for (GVirDomainEventKind kind = 0; kind < GVIR_EVENT_N_KINDS; kind++) {
        const GVirEventSpec *spec = _gvir_event_spec_for_kind (kind);
        for (guint i = 0; i < spec->n_params; i++) {
            GType type = _gvir_event_spec_param_type (spec, i);
            g_array_append_val (types, type);
        }
    }
    for (GVirObjectEventKind kind = 0; kind < GVIR_OBJECT_EVENT_N_KINDS; kind++) {
        const GVirObjectEventSpec *spec = _gvir_object_event_spec_for_kind (kind);
        for (guint i = 0; i < spec->n_params; i++) {
            GType type = _gvir_object_event_param_type (spec, i);
            g_array_append_val (types, type);
        }
    }

    g_print ("<informaltable><tgroup cols=\"2\"><thead><row>"
             "<entry>enum</entry><entry>nicks (the details it gives)</entry></row></thead><tbody>\n");
    for (guint i = 0; i < types->len; i++) {
        GType type = g_array_index (types, GType, i);
        gboolean seen = FALSE;

        for (guint j = 0; j < i && !seen; j++)
            seen = g_array_index (types, GType, j) == type;
        if (seen || !G_TYPE_IS_ENUM (type))
            continue;
        g_autofree gchar *valid = nicks (type, "<literal>", "</literal>");
        g_print ("<row><entry><link linkend=\"%s\"><type>%s</type></link></entry><entry>%s</entry></row>\n",
                 g_type_name (type), g_type_name (type), valid);
    }
    g_print ("</tbody></tgroup></informaltable>\n");
    return 0;
}

/* The table of GVirConnectionEvents' signals for the other objects, from the sibling table. */
static int
print_object_table (void)
{
    g_print ("<informaltable><tgroup cols=\"4\"><thead><row>"
             "<entry>signal</entry><entry>arguments</entry>"
             "<entry>libvirt event ID</entry><entry>detail</entry></row></thead><tbody>\n");
    for (GVirObjectEventKind kind = 0; kind < GVIR_OBJECT_EVENT_N_KINDS; kind++) {
        const GVirObjectEventSpec *spec = _gvir_object_event_spec_for_kind (kind);
        const gchar *name = _gvir_object_event_kind_name (kind);
        GString *args = g_string_new (NULL);
        g_autofree gchar *how = NULL;

        g_string_append_printf (args, "<type>%s *%s</type>",
                                g_type_name (spec->family->object_type ()), spec->family->name);
        for (guint i = 0; i < spec->n_params; i++) {
            GType type = _gvir_object_event_param_type (spec, i);

            if (G_TYPE_IS_ENUM (type)) {
                g_string_append_printf (args, ", <link linkend=\"%s\"><type>%s</type></link> %s",
                                        g_type_name (type), g_type_name (type), spec->params[i].name);
                if (i == 0)
                    how = detail_text (spec->params[0].name, type, TRUE);
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
    if (argc > 1 && g_str_equal (argv[1], "--docbook-details"))
        return print_details_table ();

    if (docbook)
        g_print ("<informaltable><tgroup cols=\"4\"><thead><row>"
                 "<entry>signal</entry><entry>libvirt event ID</entry>"
                 "<entry>arguments</entry><entry>detail</entry></row></thead><tbody>\n");
    else
        g_print ("| signal | libvirt event ID | arguments | detail |\n|---|---|---|---|\n");

    for (GVirDomainEventKind kind = 0; kind < GVIR_EVENT_N_KINDS; kind++) {
        const GVirEventSpec *spec = _gvir_event_spec_for_kind (kind);
        g_autofree gchar *args = arguments (spec);
        g_autofree gchar *how = detail (spec, docbook);

        if (docbook) {
            g_autofree gchar *escaped = g_markup_escape_text (args, -1);

            g_autofree gchar *id = spec->virt_id_name ?
                g_strdup_printf ("<literal>VIR_DOMAIN_EVENT_ID_%s</literal>", spec->virt_id_name) :
                g_strdup (POLLED_BY);

            g_print ("<row><entry><link linkend=\"GVirDomainEvents-%s\">%s</link></entry>"
                     "<entry>%s</entry>"
                     "<entry><literal>%s</literal></entry><entry>%s</entry></row>\n",
                     _gvir_event_kind_name (kind), _gvir_event_kind_name (kind),
                     id, escaped, how);
        } else {
            g_autofree gchar *id = spec->virt_id_name ?
                g_strdup_printf ("`%s`", spec->virt_id_name) : g_strdup (POLLED_BY);

            g_print ("| `%s` | %s | `%s` | %s |\n", _gvir_event_kind_name (kind),
                     id, args, how);
        }
    }

    if (docbook)
        g_print ("</tbody></tgroup></informaltable>\n");
    return 0;
}
