/*
 * gvir-events-render.c: gvir-events' renderers, JSON and text
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>
#include <syslog.h>

#include "libvirt-gevents/gvir-events-text.h"
#include "gvir-events-render.h"

/* ------------------------------------------------------------------ */
/* The library's tables                                               */

/* An enumeration's class, made once and kept (per event: no ref and unref) */
static GEnumClass *
enum_class (GType type)
{
    GEnumClass *klass = g_type_class_peek (type);

    return klass ? klass : g_type_class_ref (type);
}

gboolean
enum_has_nick (GType type, const gchar *nick)
{
    return g_enum_get_value_by_nick (enum_class (type), nick) != NULL;
}

const gchar *
enum_nick (GType type, gint value)
{
    GEnumValue *v = g_enum_get_value (enum_class (type), value);

    return v ? v->value_nick : NULL;
}

/* The typed signal of an event kind: GVirDomainEvents' or GVirConnectionEvents'. */
gboolean
query_kind (const gchar *kind, gboolean object, GSignalQuery *query)
{
    GType itype = object ? GVIR_TYPE_CONNECTION_EVENTS : GVIR_TYPE_DOMAIN_EVENTS;
    g_autoptr(GTypeClass) klass G_GNUC_UNUSED = g_type_class_ref (itype);  /* for the lookup */
    guint id = g_signal_lookup (kind, itype);

    if (id == 0)
        return FALSE;
    g_signal_query (id, query);
    return TRUE;
}

static JsonNode *value_to_json (GVariant *value, GType type);

/* An a{sv} made from a GObject's properties: keys are property names with '_' */
static JsonNode *
object_to_json (GVariant *dict, GType type)
{
    g_autoptr(GTypeClass) klass = g_type_class_ref (type);
    JsonObject *object = json_object_new ();
    JsonNode *node = json_node_new (JSON_NODE_OBJECT);
    GVariantIter iter;
    const gchar *key;
    GVariant *value;

    g_variant_iter_init (&iter, dict);
    while (g_variant_iter_loop (&iter, "{&sv}", &key, &value)) {
        g_autofree gchar *name = g_strdelimit (g_strdup (key), "_", '-');
        GParamSpec *pspec = g_object_class_find_property (G_OBJECT_CLASS (klass), name);

        json_object_set_member (object, key,
                                value_to_json (value, pspec ? pspec->value_type : G_TYPE_NONE));
    }
    json_node_take_object (node, object);
    return node;
}

/* One argument as JSON: enums by nick, flags as a list of nicks, a{sv} as an object. */
static JsonNode *
value_to_json (GVariant *value, GType type)
{
    if (G_TYPE_IS_ENUM (type) && g_variant_is_of_type (value, G_VARIANT_TYPE_INT32)) {
        const gchar *nick = enum_nick (type, g_variant_get_int32 (value));

        if (nick)
            return json_node_init_string (json_node_alloc (), nick);
    } else if (G_TYPE_IS_FLAGS (type) && g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32)) {
        g_autoptr(GTypeClass) klass = g_type_class_ref (type);
        guint bits = g_variant_get_uint32 (value);
        JsonArray *array = json_array_new ();
        JsonNode *node = json_node_new (JSON_NODE_ARRAY);
        GFlagsValue *flag;

        while (bits && (flag = g_flags_get_first_value (G_FLAGS_CLASS (klass), bits))) {
            json_array_add_string_element (array, flag->value_nick);
            bits &= ~flag->value;
        }
        if (bits)       /* bits a newer libvirt adds, as a number */
            json_array_add_int_element (array, bits);
        json_node_take_array (node, array);
        return node;
    } else if (G_TYPE_IS_OBJECT (type) && g_variant_is_of_type (value, G_VARIANT_TYPE_VARDICT)) {
        return object_to_json (value, type);
    } else if (g_variant_is_of_type (value, G_VARIANT_TYPE_VARDICT)) {
        /* typed parameters: walked here, for their doubles */
        JsonObject *object = json_object_new ();
        JsonNode *node = json_node_new (JSON_NODE_OBJECT);
        GVariantIter iter;
        const gchar *key;
        GVariant *member;

        g_variant_iter_init (&iter, value);
        while (g_variant_iter_loop (&iter, "{&sv}", &key, &member))
            json_object_set_member (object, key, value_to_json (member, G_TYPE_NONE));
        json_node_take_object (node, object);
        return node;
    } else if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE) &&
               !isfinite (g_variant_get_double (value))) {
        /* JSON has no NaN or infinity (json-glib would write a bare nan): in words */
        gdouble d = g_variant_get_double (value);

        return json_node_init_string (json_node_alloc (), isnan (d) ? "nan" : d > 0 ? "inf" : "-inf");
    }
    return json_gvariant_serialize (value);
}

/*
 * The type of a kind's argument of that name (the library's table); none:
 * G_TYPE_NONE.  Asked once per kind and name: a monitor asks per event.
 */
static GType
argument_type (const gchar *kind, const gchar *name)
{
    static GHashTable *kinds;   /* kind -> (name -> GType) */
    GHashTable *types;
    const gchar *argument;
    GType type;

    if (!kinds)
        kinds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_hash_table_unref);
    types = g_hash_table_lookup (kinds, kind);
    if (!types) {
        types = g_hash_table_new (g_str_hash, g_str_equal);
        /* the names are the library's static strings */
        for (guint i = 0; (argument = gvir_event_kind_get_argument (kind, i, &type)); i++)
            g_hash_table_insert (types, (gpointer) argument, GSIZE_TO_POINTER (type));
        g_hash_table_insert (kinds, g_strdup (kind), types);
    }
    type = GPOINTER_TO_SIZE (g_hash_table_lookup (types, name));
    return type ? type : G_TYPE_NONE;
}

/*
 * The payload as a JSON object, each value typed by the kind's argument of
 * the same name: enumerations by nick, flags as lists of nicks, a client
 * as an object.  A key no argument has (a repaired string's "-bytes") is
 * written as its GVariant is.
 */
JsonObject *
payload_to_json (GVariant *payload, const gchar *kind)
{
    JsonObject *data = json_object_new ();
    GVariantIter iter;
    GVariant *entry;

    /* by child values: g_variant_iter_loop() parses its format string per entry */
    g_variant_iter_init (&iter, payload);
    while ((entry = g_variant_iter_next_value (&iter))) {
        g_autoptr(GVariant) key = g_variant_get_child_value (entry, 0);
        g_autoptr(GVariant) boxed = g_variant_get_child_value (entry, 1);
        g_autoptr(GVariant) value = g_variant_get_variant (boxed);
        const gchar *name = g_variant_get_string (key, NULL);

        json_object_set_member (data, name, value_to_json (value, argument_type (kind, name)));
        g_variant_unref (entry);
    }
    return data;
}

/* ------------------------------------------------------------------ */
/* Domain and object events                                           */

JsonObject *
render_event_data (GVirEvent *event)
{
    GVariant *payload = gvir_event_get_payload (event);
    JsonObject *data = payload_to_json (payload, gvir_event_get_kind_name (event));
    JsonNode *event_node = json_object_get_member (data, "event");
    JsonNode *detail_node = json_object_get_member (data, "detail");

    if (gvir_event_get_kind (event) == GVIR_DOMAIN_EVENT_KIND_LIFECYCLE && event_node && detail_node &&
        json_node_get_value_type (event_node) == G_TYPE_STRING &&
        json_node_get_value_type (detail_node) == G_TYPE_INT64) {
        /* the detail code means nothing without its event: in words (the
         * event's number from its nick, the detail's from the data) */
        GEnumValue *ev = g_enum_get_value_by_nick (enum_class (GVIR_TYPE_DOMAIN_LIFECYCLE_EVENT),
                                                   json_node_get_string (event_node));
        const gchar *words = NULL;

        if (ev)
            words = gvir_domain_lifecycle_event_detail_to_string (
                ev->value, (gint) json_node_get_int (detail_node));
        if (words)
            json_object_set_string_member (data, "detail", words);
    }
    if (gvir_event_get_synthesized (event))
        json_object_set_boolean_member (data, "synthesized", TRUE);
    return data;
}

void
render_event_text (GVirEvent *event, gchar **name, gchar **words)
{
    const gchar *domain = gvir_event_get_domain_name (event);
    const gchar *kind = gvir_event_get_kind_name (event);
    g_autofree gchar *line = gvir_event_to_string (event);
    g_autofree gchar *head = NULL;

    /* the name in a column of its own, the words the library's from the
     * event's kind on: its line is "NAME: KIND WORDS", escaped as a whole */
    *name = gvir_events_text_escape (domain ? domain : "");
    head = g_strdup_printf ("%s: %s", domain ? *name : "(no domain)", kind);
    *words = g_strdup (g_str_has_prefix (line, head) ? line + strlen (head) - strlen (kind) : line);
}

/* "GVirStoragePool" -> "storage-pool" */
static gchar *
type_family (GType type)
{
    const gchar *name = g_type_name (type);
    GString *family = g_string_new (NULL);

    if (g_str_has_prefix (name, "GVir"))
        name += strlen ("GVir");
    for (const gchar *c = name; *c; c++) {
        if (g_ascii_isupper (*c) && family->len > 0)
            g_string_append_c (family, '-');
        g_string_append_c (family, g_ascii_tolower (*c));
    }
    return g_string_free (family, FALSE);
}

gchar *
render_event_family (const gchar *kind)
{
    GType object;

    if (enum_has_nick (GVIR_TYPE_DOMAIN_EVENT_KIND, kind))
        return g_strdup ("domain");
    /* an object event's first argument is the object: its class names the family */
    if (gvir_event_kind_get_argument (kind, 0, &object) && G_TYPE_IS_OBJECT (object))
        return type_family (object);
    return g_strdup ("connection");
}

gchar *
render_event_type (const gchar *kind)
{
    g_autofree gchar *family = render_event_family (kind);

    return g_strdup_printf ("org.libvirt.gevents.%s.%s", family, kind);
}

gchar *
render_message_id (const gchar *kind)
{
    g_autofree gchar *type = render_event_type (kind);
    g_autofree gchar *sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, type, -1);

    return g_strndup (sha, 32);
}

gint
render_priority (const gchar *kind, JsonObject *data)
{
    static const struct { const gchar *kind; gint priority; } priorities[] = {
        { "io-error", LOG_ERR },
        { "memory-failure", LOG_ERR },
        { "watchdog", LOG_WARNING },
        { "control-error", LOG_WARNING },
        { "disconnected", LOG_WARNING },
        { "reconnected", LOG_NOTICE },
    };

    for (guint i = 0; i < G_N_ELEMENTS (priorities); i++)
        if (strcmp (kind, priorities[i].kind) == 0)
            return priorities[i].priority;
    if (strcmp (kind, "lifecycle") == 0 && data &&
        (g_strcmp0 (json_object_get_string_member_with_default (data, "event", ""), "crashed") == 0 ||
         g_strcmp0 (json_object_get_string_member_with_default (data, "detail", ""), "crashed") == 0))
        return LOG_WARNING;
    return LOG_INFO;
}

void
render_object_identity (GObject *object, const gchar *kind, const gchar **key,
                        const gchar **name, const gchar **uuid)
{
    /* the key is the library's name for the signal's first argument */
    *key = gvir_event_kind_get_argument (kind, 0, NULL);
    *name = NULL;
    *uuid = NULL;
    if (GVIR_IS_NETWORK (object)) {
        *name = gvir_network_get_name (GVIR_NETWORK (object));
        *uuid = gvir_network_get_uuid (GVIR_NETWORK (object));
    } else if (GVIR_IS_STORAGE_POOL (object)) {
        *name = gvir_storage_pool_get_name (GVIR_STORAGE_POOL (object));
        *uuid = gvir_storage_pool_get_uuid (GVIR_STORAGE_POOL (object));
    } else if (GVIR_IS_NODE_DEVICE (object)) {
        *name = gvir_node_device_get_name (GVIR_NODE_DEVICE (object));
    } else if (GVIR_IS_SECRET (object)) {
        /* secrets have no name (libvirt-gobject 4.0 declares a getter it lacks) */
        *uuid = gvir_secret_get_uuid (GVIR_SECRET (object));
        *name = *uuid;
    }
}

gchar *
render_object_words (const gchar *kind_name, JsonObject *data)
{
    /* "network-lifecycle started", the words of the arguments after it */
    GString *words = g_string_new (kind_name);
    g_autoptr(GList) members = json_object_get_members (data);

    for (GList *l = members; l; l = l->next) {
        JsonNode *node = json_object_get_member (data, l->data);

        if (strcmp (l->data, "detail") == 0 && json_node_get_int (node) == 0)
            continue;       /* libvirt defines no detail for these yet */
        if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING) {
            g_string_append_c (words, ' ');
            gvir_events_text_append_escaped (words, json_node_get_string (node), -1);
        } else {
            g_string_append_printf (words, " %s=%" G_GINT64_FORMAT, (gchar *) l->data,
                                    json_node_get_int (node));
        }
    }
    return g_string_free (words, FALSE);
}

/* ------------------------------------------------------------------ */
/* Text lines                                                         */

static const gchar *
paint (gboolean color, const gchar *code)
{
    return color ? code : "";
}

gchar *
render_human_line (gboolean color, const gchar *clock, const gchar *host, guint host_width,
                   guint *name_width, const gchar *name, const gchar *words,
                   const gchar *words_color)
{
    /* names, URIs and words may hold a daemon's bytes: made visible, never obeyed */
    g_autofree gchar *safe_host = gvir_events_text_escape (host);
    g_autofree gchar *safe_name = gvir_events_text_escape (name);
    g_autofree gchar *safe_words = gvir_events_text_escape (words);
    GString *line = g_string_new (NULL);

    if (clock)
        g_string_append_printf (line, "%s%s%s  ", paint (color, "\033[2m"), clock,
                                paint (color, "\033[0m"));
    if (safe_host) {
        g_string_append_printf (line, "%s%-*s%s  ", paint (color, "\033[36m"), host_width,
                                safe_host, paint (color, "\033[0m"));
    }
    *name_width = MAX (*name_width, g_utf8_strlen (safe_name, -1));
    g_string_append_printf (line, "%s%-*s%s  %s%s%s", paint (color, "\033[1m"), *name_width,
                            safe_name, paint (color, "\033[0m"), paint (color, words_color),
                            safe_words, paint (color, "\033[0m"));
    return g_string_free (line, FALSE);
}
