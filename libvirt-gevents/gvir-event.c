/*
 * gvir-event.c: an immutable record of one domain event
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <string.h>

#include "libvirt-gevents.h"
#include "gvir-event-private.h"
#include "gvir-events-util-private.h"
#include "gvir-events-text.h"

/**
 * SECTION:gvir-event
 * @title: GVirEvent
 * @short_description: one domain event, as a record
 * @see_also: #GVirConnectionEvents
 *
 * A #GVirEvent is what #GVirConnectionEvents::domain-event hands out: the
 * kind of event, the domain it is about, when it was received, and the same
 * arguments as the typed #GVirDomainEvents signal, as an `a{sv}` #GVariant
 * keyed by the arguments' names.  In that payload enumerations are their
 * libvirt numbers (`i`), 64-bit values keep their width (`x`, `t`), a
 * #GVirGraphicsClient is a nested `a{sv}` of its properties (named with
 * underscores, like the arguments: `remote_node`) and a missing (%NULL)
 * string is left out.  gvir_event_to_string() renders it as one line for people.
 *
 * Every string is valid UTF-8.  libvirt's strings are bytes that whoever
 * may define a domain chooses: one that is not UTF-8 is repaired
 * (g_utf8_make_valid(): U+FFFD for each bad sequence) in the typed signal's
 * argument, in #GVirEvent:domain-name and in the payload, and the payload
 * keeps its exact bytes beside it as an `ay` under the key with `-bytes`
 * added (`nsuri-bytes`, `user-bytes`; inside typed parameters
 * `<field>-bytes`, inside a client `remote_node-bytes`...).  A key with
 * `-bytes` is present only for a repaired string.
 *
 * It is immutable, and only built when a handler listens.
 */

struct _GVirEvent {
    GObject parent_instance;

    GVirDomainEventKind kind;
    gchar *domain_name;
    gchar *domain_uuid;
    gint64 time_us;                 /* when it was received */
    GDateTime *time;                /* the same, made on first demand */
    const GVirEventSpec *spec;
    GValue args[GVIR_EVENT_MAX_PARAMS]; /* the typed signal's arguments, copied */
    GVariant *raw_bytes[GVIR_EVENT_MAX_PARAMS]; /* libvirt's bytes of a repaired string argument */
    const gchar *detail;            /* a static nick, or points into args[0] */
    GVariant *payload;              /* made from args on first demand */
    gboolean synthesized;
};

G_DEFINE_FINAL_TYPE (GVirEvent, gvir_event, G_TYPE_OBJECT)

enum {
    PROP_0,
    PROP_KIND,
    PROP_KIND_NAME,
    PROP_DOMAIN_NAME,
    PROP_DOMAIN_UUID,
    PROP_TIME,
    PROP_DETAIL,
    PROP_PAYLOAD,
    PROP_SYNTHESIZED,
    N_PROPS
};

static GParamSpec *props[N_PROPS];

static void
gvir_event_finalize (GObject *object)
{
    GVirEvent *self = GVIR_EVENT (object);

    g_free (self->domain_name);
    g_free (self->domain_uuid);
    g_clear_pointer (&self->time, g_date_time_unref);
    for (guint i = 0; i < G_N_ELEMENTS (self->args); i++) {
        if (G_VALUE_TYPE (&self->args[i]) != G_TYPE_INVALID)
            g_value_unset (&self->args[i]);
        g_clear_pointer (&self->raw_bytes[i], g_variant_unref);
    }
    g_clear_pointer (&self->payload, g_variant_unref);

    G_OBJECT_CLASS (gvir_event_parent_class)->finalize (object);
}

static void
gvir_event_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
    GVirEvent *self = GVIR_EVENT (object);

    switch (prop_id) {
    case PROP_KIND:        g_value_set_enum (value, self->kind); break;
    case PROP_KIND_NAME:   g_value_set_string (value, _gvir_event_kind_name (self->kind)); break;
    case PROP_DOMAIN_NAME: g_value_set_string (value, self->domain_name); break;
    case PROP_DOMAIN_UUID: g_value_set_string (value, self->domain_uuid); break;
    case PROP_TIME:        g_value_set_boxed (value, gvir_event_get_time (self)); break;
    case PROP_DETAIL:      g_value_set_string (value, self->detail); break;
    case PROP_PAYLOAD:     g_value_set_variant (value, gvir_event_get_payload (self)); break;
    case PROP_SYNTHESIZED: g_value_set_boolean (value, self->synthesized); break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gvir_event_class_init (GVirEventClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS (klass);
    const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

    object_class->finalize = gvir_event_finalize;
    object_class->get_property = gvir_event_get_property;

    /**
     * GVirEvent:kind:
     *
     * The kind of event; its nick is the name of the #GVirDomainEvents signal.
     */
    props[PROP_KIND] = g_param_spec_enum ("kind", "Kind",
                                          "The kind of event; its nick is the name of the GVirDomainEvents signal", GVIR_TYPE_DOMAIN_EVENT_KIND,
                                          GVIR_DOMAIN_EVENT_KIND_LIFECYCLE, flags);
    /**
     * GVirEvent:kind-name:
     *
     * The name of the kind of event, which is also the name of its
     * #GVirDomainEvents signal (`io-error`).
     */
    props[PROP_KIND_NAME] = g_param_spec_string ("kind-name", "Kind name",
                                                 "The name of the kind of event, which is also the name of its signal",
                                                 NULL, flags);
    /**
     * GVirEvent:domain-name:
     *
     * The name of the domain the event is about.
     */
    props[PROP_DOMAIN_NAME] = g_param_spec_string ("domain-name", "Domain name",
                                                   "The name of the domain the event is about", NULL, flags);
    /**
     * GVirEvent:domain-uuid:
     *
     * The UUID of the domain the event is about, as a string.
     */
    props[PROP_DOMAIN_UUID] = g_param_spec_string ("domain-uuid", "Domain uuid",
                                                   "The UUID of the domain the event is about, as a string", NULL, flags);
    /**
     * GVirEvent:time:
     *
     * When the event was received, in local time.
     */
    props[PROP_TIME] = g_param_spec_boxed ("time", "Time",
                                           "When the event was received, in local time", G_TYPE_DATE_TIME, flags);
    /**
     * GVirEvent:detail:
     *
     * The detail the typed signal was emitted with (`vda`, `stopped`), or
     * %NULL for a kind without one.
     */
    props[PROP_DETAIL] = g_param_spec_string ("detail", "Detail",
                                              "The detail the typed signal was emitted with (vda, stopped), or NULL for a kind without one", NULL, flags);
    /**
     * GVirEvent:payload:
     *
     * The event's arguments, an `a{sv}` keyed by the typed signal's
     * argument names.
     */
    props[PROP_PAYLOAD] = g_param_spec_variant ("payload", "Payload",
                                                "The event's arguments, an a{sv} keyed by the typed signal's argument names", G_VARIANT_TYPE_VARDICT,
                                                NULL, flags);
    /**
     * GVirEvent:synthesized:
     *
     * %TRUE for a `lifecycle` event the library made up after reconnecting
     * to the daemon, to tell a change of state it could not witness (the
     * domain stopped during the outage, say); %FALSE for libvirt's own.
     */
    props[PROP_SYNTHESIZED] = g_param_spec_boolean ("synthesized", "Synthesized",
                                                    "TRUE for a lifecycle event the library made up after reconnecting",
                                                    FALSE, flags);
    g_object_class_install_properties (object_class, N_PROPS, props);
}

/*
 * What g_object_new() alone gives (a binding's default constructor): an
 * empty record of kind lifecycle, no domain, no arguments, an empty payload.
 */
static void
gvir_event_init (GVirEvent *self G_GNUC_UNUSED)
{
}

/* The detail in words: unlike the emission's quark, it is never left out. */
static const gchar *
detail_of (const GVirEventSpec *spec, const GValue *first)
{
    if (spec->detail == GVIR_EVENT_DETAIL_NONE)
        return NULL;
    if (G_VALUE_HOLDS_ENUM (first)) {
        GEnumValue *value = g_enum_get_value (g_type_class_peek (G_VALUE_TYPE (first)),
                                              g_value_get_enum (first));

        return value ? value->value_nick : NULL;
    }
    return g_value_get_string (first);
}

/*
 * Copies the arguments only: the time, the payload and its GVariants are
 * made when a handler asks for them, which most never do.
 */
GVirEvent *
_gvir_event_new (virDomainPtr dom, const GVirEventEmission *em)
{
    GVirEvent *self = g_object_new (GVIR_TYPE_EVENT, NULL);

    self->kind = em->spec->kind;
    self->spec = em->spec;
    /* libvirt's bytes; the UUID is the domain's exact identity */
    self->domain_name = gvir_events_utf8_repair (virDomainGetName (dom));
    if (!self->domain_name)
        self->domain_name = g_strdup (virDomainGetName (dom));
    self->domain_uuid = g_malloc (VIR_UUID_STRING_BUFLEN);
    _gvir_events_uuid_to_string (em->uuid, self->domain_uuid);
    self->time_us = g_get_real_time ();
    self->synthesized = em->synthesized;
    for (guint i = 0; i < em->spec->n_params; i++) {
        g_value_init (&self->args[i], G_VALUE_TYPE (&em->values[1 + i]));
        g_value_copy (&em->values[1 + i], &self->args[i]);
        if (em->raw_bytes[i])
            self->raw_bytes[i] = g_variant_ref (em->raw_bytes[i]);
    }
    if (em->spec->n_params > 0)
        self->detail = detail_of (em->spec, &self->args[0]);
    return self;
}

/**
 * gvir_event_get_kind:
 * @self: a #GVirEvent
 *
 * Gets the kind of event.
 *
 * Returns: the kind
 */
GVirDomainEventKind
gvir_event_get_kind (GVirEvent *self)
{
    g_return_val_if_fail (GVIR_IS_EVENT (self), GVIR_DOMAIN_EVENT_KIND_LIFECYCLE);
    return self->kind;
}

/**
 * gvir_event_get_kind_name:
 * @self: a #GVirEvent
 *
 * Gets the name of the event's kind, which is also the name of its
 * #GVirDomainEvents signal (`io-error`).
 *
 * Returns: the name
 */
const gchar *
gvir_event_get_kind_name (GVirEvent *self)
{
    g_return_val_if_fail (GVIR_IS_EVENT (self), NULL);
    return _gvir_event_kind_name (self->kind);
}

/**
 * gvir_event_get_domain_name:
 * @self: a #GVirEvent
 *
 * Gets the name of the domain the event is about.
 *
 * Returns: (nullable): the name, or %NULL for a record made with
 *   g_object_new()
 */
const gchar *
gvir_event_get_domain_name (GVirEvent *self)
{
    g_return_val_if_fail (GVIR_IS_EVENT (self), NULL);
    return self->domain_name;
}

/**
 * gvir_event_get_domain_uuid:
 * @self: a #GVirEvent
 *
 * Gets the UUID of the domain the event is about.
 *
 * Returns: (nullable): the UUID, as a string, or %NULL for a record made
 *   with g_object_new()
 */
const gchar *
gvir_event_get_domain_uuid (GVirEvent *self)
{
    g_return_val_if_fail (GVIR_IS_EVENT (self), NULL);
    return self->domain_uuid;
}

/**
 * gvir_event_get_time:
 * @self: a #GVirEvent
 *
 * Gets when the event was received.
 *
 * Returns: (transfer none): the time, in the local time zone
 */
GDateTime *
gvir_event_get_time (GVirEvent *self)
{
    GDateTime *time;

    g_return_val_if_fail (GVIR_IS_EVENT (self), NULL);

    /* most handlers never ask: the GDateTime is made on first demand */
    time = g_atomic_pointer_get (&self->time);
    if (!time) {
        g_autoptr(GDateTime) seconds = g_date_time_new_from_unix_utc (self->time_us / G_USEC_PER_SEC);
        g_autoptr(GDateTime) utc = g_date_time_add (seconds, self->time_us % G_USEC_PER_SEC);
        GDateTime *local = g_date_time_to_local (utc);

        if (g_atomic_pointer_compare_and_exchange (&self->time, NULL, local))
            time = local;
        else {
            g_date_time_unref (local);
            time = g_atomic_pointer_get (&self->time);
        }
    }
    return time;
}

/**
 * gvir_event_get_detail:
 * @self: a #GVirEvent
 *
 * Gets the detail the typed signal was emitted with: the disk of an
 * `io-error`, the nick of a `lifecycle` event...
 *
 * Returns: (nullable): the detail, or %NULL for a kind without one
 */
const gchar *
gvir_event_get_detail (GVirEvent *self)
{
    g_return_val_if_fail (GVIR_IS_EVENT (self), NULL);
    return self->detail;
}

/**
 * gvir_event_get_synthesized:
 * @self: a #GVirEvent
 *
 * Tells whether the library made this event up after reconnecting, to
 * explain a change of state it did not witness (see
 * #GVirConnectionEvents::reconnected).
 *
 * Returns: %TRUE for a synthesized `lifecycle` event
 */
gboolean
gvir_event_get_synthesized (GVirEvent *self)
{
    g_return_val_if_fail (GVIR_IS_EVENT (self), FALSE);
    return self->synthesized;
}

/**
 * gvir_event_get_payload:
 * @self: a #GVirEvent
 *
 * Gets the event's arguments, keyed by the names of the typed signal's
 * arguments: `{'disk': <'vda'>, 'action': <2>, ...}`.
 *
 * Returns: (transfer none): an `a{sv}` #GVariant
 */
GVariant *
gvir_event_get_payload (GVirEvent *self)
{
    GVariant *payload;

    g_return_val_if_fail (GVIR_IS_EVENT (self), NULL);

    payload = g_atomic_pointer_get (&self->payload);
    if (!payload) {
        GVariant *made = self->spec ? _gvir_event_payload_new (self->spec, self->args, self->raw_bytes)
                                    : g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0));

        if (g_atomic_pointer_compare_and_exchange (&self->payload, NULL, made))
            payload = made;
        else {
            g_variant_unref (made);
            payload = g_atomic_pointer_get (&self->payload);
        }
    }
    return payload;
}

/* "[::1]:43210", the way people write addresses */
static void
append_address (GString *line, GVariant *client, const gchar *node_key, const gchar *service_key)
{
    const gchar *node = "?", *service = "?";

    g_variant_lookup (client, node_key, "&s", &node);
    g_variant_lookup (client, service_key, "&s", &service);
    g_string_append_printf (line, strchr (node, ':') ? "[%s]:%s" : "%s:%s", node, service);
}

/* " 127.0.0.1:43210 → 127.0.0.1:5901 (none) x509dname=CN=alice" */
static void
append_client (GString *line, GVariant *client)
{
    const gchar *auth = "?", *type, *name;
    g_autoptr(GVariant) identities = NULL;
    GVariantIter iter;

    g_string_append_c (line, ' ');
    append_address (line, client, "remote_node", "remote_service");
    g_string_append (line, " → ");
    append_address (line, client, "local_node", "local_service");
    g_variant_lookup (client, "auth_scheme", "&s", &auth);
    g_string_append_printf (line, " (%s)", auth);

    identities = g_variant_lookup_value (client, "identities", G_VARIANT_TYPE ("a(ss)"));
    g_variant_iter_init (&iter, identities);
    while (g_variant_iter_next (&iter, "(&s&s)", &type, &name))
        g_string_append_printf (line, " %s=%s", type, name);
}

static void
append_value (GString *line, const gchar *name, GType type, GVariant *value)
{
    g_string_append_c (line, ' ');
    if (name)
        g_string_append_printf (line, "%s=", name);
    if (G_TYPE_IS_ENUM (type)) {
        GEnumClass *klass = g_type_class_peek (type);
        GEnumValue *nick = g_enum_get_value (klass, g_variant_get_int32 (value));

        if (nick)
            g_string_append (line, nick->value_nick);
        else
            g_string_append_printf (line, "%d", g_variant_get_int32 (value));
    } else if (G_TYPE_IS_FLAGS (type)) {
        GFlagsClass *klass = g_type_class_ref (type);
        guint bits = g_variant_get_uint32 (value);
        GFlagsValue *flag;
        const gchar *separator = "";

        /* by nick; bits a newer libvirt adds as a number */
        while (bits && (flag = g_flags_get_first_value (klass, bits))) {
            g_string_append_printf (line, "%s%s", separator, flag->value_nick);
            bits &= ~flag->value;
            separator = "|";
        }
        if (bits || !*separator)
            g_string_append_printf (line, "%s0x%x", separator, bits);
        g_type_class_unref (klass);
    } else if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING)) {
        g_string_append (line, g_variant_get_string (value, NULL));
    } else {
        g_variant_print_string (value, line, FALSE);
    }
}

/*
 * The kinds people meet most, in words rather than name=value pairs.  Each
 * reads the payload; a kind without a row gets the generic rendering.
 */
typedef void (*GVirEventWordsFunc) (GVirEvent *self, GVariant *payload, GString *line);

/* "suspended (paused)": the detail code means nothing without its event */
static void
words_lifecycle (GVirEvent *self, GVariant *payload, GString *line)
{
    gint event = g_value_get_enum (&self->args[0]);
    gint detail = g_value_get_int (&self->args[1]);
    const gchar *words = gvir_domain_lifecycle_event_detail_to_string (event, detail);

    g_string_append_printf (line, " %s", self->detail ? self->detail : "unknown");
    if (words)
        g_string_append_printf (line, " (%s)", words);
    else
        g_string_append_printf (line, " (%d)", detail);
}

/* "hdb (ide0-0-1) report: No space left on device" */
static void
words_io_error (GVirEvent *self, GVariant *payload, GString *line)
{
    /* libvirt names the error by its errno, in lower case, or not at all */
    static const struct { const gchar *name; int code; } errnos[] = {
        { "eio", EIO }, { "enospc", ENOSPC }, { "eperm", EPERM }, { "eacces", EACCES },
        { "erofs", EROFS }, { "edquot", EDQUOT }, { "enomedium", ENOMEDIUM },
    };
    const gchar *disk = "?", *alias = NULL, *reason = NULL;
    gint action = -1;
    GEnumValue *nick;

    g_variant_lookup (payload, "disk", "&s", &disk);
    g_variant_lookup (payload, "alias", "&s", &alias);
    g_variant_lookup (payload, "action", "i", &action);
    g_variant_lookup (payload, "reason", "&s", &reason);
    g_string_append_printf (line, " %s", disk);
    if (alias && g_strcmp0 (alias, disk) != 0)
        g_string_append_printf (line, " (%s)", alias);
    nick = g_enum_get_value (g_type_class_peek (GVIR_TYPE_DOMAIN_IO_ERROR_ACTION), action);
    if (nick)
        g_string_append_printf (line, " %s", nick->value_nick);
    else
        g_string_append_printf (line, " action %d", action);
    if (reason && *reason) {
        const gchar *words = reason;

        for (guint i = 0; i < G_N_ELEMENTS (errnos); i++)
            if (g_ascii_strcasecmp (reason, errnos[i].name) == 0)
                words = g_strerror (errnos[i].code);
        g_string_append_printf (line, ": %s", words);
    }
}

/* "127.0.0.1:40212 → 127.0.0.1:5900 (none)" */
static void
words_graphics (GVirEvent *self, GVariant *payload, GString *line)
{
    g_autoptr(GVariant) client = g_variant_lookup_value (payload, "client", G_VARIANT_TYPE_VARDICT);

    if (client)
        append_client (line, client);
}

/* "1.0 GiB", with a plain space for grep rather than GLib's no-break space */
static gchar *
format_size (guint64 size)
{
    g_autofree gchar *raw = g_format_size_full (size, G_FORMAT_SIZE_IEC_UNITS);
    GString *text = g_string_new (raw);

    g_string_replace (text, "\u00a0", " ", 0);
    return g_string_free (text, FALSE);
}

/* "vda crossed 1.0 GiB by 12.0 MiB" */
static void
words_watermark (GVirEvent *self, GVariant *payload, GString *line)
{
    const gchar *disk = "?";
    guint64 threshold = 0, excess = 0;
    g_autofree gchar *at = NULL, *by = NULL;

    g_variant_lookup (payload, "disk", "&s", &disk);
    g_variant_lookup (payload, "threshold", "t", &threshold);
    g_variant_lookup (payload, "excess", "t", &excess);
    at = format_size (threshold);
    by = format_size (excess);
    g_string_append_printf (line, " %s crossed %s by %s", disk, at, by);
}

/* "alice (logged on 2026-11-25 21:45:49 UTC)", "CORP\\bob (...)" */
static void
words_guest_user (GVirEvent *self, GVariant *payload, GString *line)
{
    const gchar *user = "?", *user_domain = NULL;
    gint64 login_time_ms = 0;
    g_autoptr(GDateTime) login = NULL;

    g_variant_lookup (payload, "user", "&s", &user);
    g_variant_lookup (payload, "user_domain", "&s", &user_domain);
    g_variant_lookup (payload, "login_time_ms", "x", &login_time_ms);
    g_string_append_c (line, ' ');
    if (user_domain)
        g_string_append_printf (line, "%s\\", user_domain);
    g_string_append (line, user);
    login = g_date_time_new_from_unix_utc (login_time_ms / 1000);
    if (login) {
        g_autofree gchar *when = g_date_time_format (login, "%Y-%m-%d %H:%M:%S UTC");

        g_string_append_printf (line, " (logged on %s)", when);
    }
}

static const struct {
    GVirDomainEventKind kind;
    GVirEventWordsFunc words;
} event_words[] = {
    { GVIR_DOMAIN_EVENT_KIND_LIFECYCLE, words_lifecycle },
    { GVIR_DOMAIN_EVENT_KIND_IO_ERROR, words_io_error },
    { GVIR_DOMAIN_EVENT_KIND_VNC_CONNECTED, words_graphics },
    { GVIR_DOMAIN_EVENT_KIND_VNC_INITIALIZED, words_graphics },
    { GVIR_DOMAIN_EVENT_KIND_VNC_DISCONNECTED, words_graphics },
    { GVIR_DOMAIN_EVENT_KIND_SPICE_CONNECTED, words_graphics },
    { GVIR_DOMAIN_EVENT_KIND_SPICE_INITIALIZED, words_graphics },
    { GVIR_DOMAIN_EVENT_KIND_SPICE_DISCONNECTED, words_graphics },
    { GVIR_DOMAIN_EVENT_KIND_WATERMARK, words_watermark },
    { GVIR_DOMAIN_EVENT_KIND_GUEST_USER_LOGON, words_guest_user },
    { GVIR_DOMAIN_EVENT_KIND_GUEST_USER_LOGOFF, words_guest_user },
};

/*
 * The line made safe for a terminal, at the end: only the names and values
 * in it can hold controls, the words around them have none.
 */
static gchar *
escaped (GString *line)
{
    gchar *text = gvir_events_text_escape (line->str);

    g_string_free (line, TRUE);
    return text;
}

/**
 * gvir_event_to_string:
 * @self: a #GVirEvent
 *
 * Renders the event as one line for people, the domain's name first:
 * `web1: lifecycle stopped (destroyed)`,
 * `web1: io-error vda (virtio-disk0) report: No space left on device`,
 * `web1: vnc-connected 192.0.2.7:50122 → 127.0.0.1:5900 (none)`,
 * `web1: watermark vda crossed 1.0 GiB by 12.0 MiB`,
 * `web1: guest-user-logon alice (logged on 2026-11-25 21:45:49 UTC)`; the kinds without
 * words of their own as `name=value` pairs, enumerations by their nick,
 * the signal's detail first and without its name:
 * `web1: watchdog pause`, `web1: block-job vda type=copy status=ready`.  The `gvir-events` command
 * prints these lines.  Meant for people, not for parsing: use the payload
 * for that.
 *
 * The line is safe to print on a terminal: C0 and C1 control characters
 * (a carriage return, an escape), bidirectional overrides, isolates and
 * marks (U+202A to U+202E, U+2066 to U+2069, U+200E, U+200F, U+061C) and
 * line separators in names and values are written in a visible form,
 * `\x0d`, `\x1b`, `\u202e`, so that the line is one line and says what
 * happened.
 *
 * Returns: (transfer full): the line, without a newline
 */
gchar *
gvir_event_to_string (GVirEvent *self)
{
    const GVirEventSpec *spec;
    GString *line;

    g_return_val_if_fail (GVIR_IS_EVENT (self), NULL);

    spec = self->spec;
    line = g_string_new (NULL);
    g_string_append_printf (line, "%s: %s", self->domain_name ? self->domain_name : "(no domain)",
                            _gvir_event_kind_name (self->kind));
    if (!spec)
        return escaped (line);

    for (guint i = 0; i < G_N_ELEMENTS (event_words); i++) {
        if (event_words[i].kind == self->kind) {
            event_words[i].words (self, gvir_event_get_payload (self), line);
            return escaped (line);
        }
    }

    for (guint i = 0; i < spec->n_params; i++) {
        g_autoptr(GVariant) value = g_variant_lookup_value (gvir_event_get_payload (self),
                                                            spec->params[i].name, NULL);

        /* the detail (a disk, an action) goes first, without its name */
        if (value)
            append_value (line, i == 0 && spec->detail == GVIR_EVENT_DETAIL_FIRST_ARG ?
                          NULL : spec->params[i].name,
                          _gvir_event_spec_param_type (spec, i), value);
    }
    return escaped (line);
}

/**
 * gvir_event_kind_get_argument:
 * @kind: the name of an event kind: a #GVirDomainEventKind nick
 *   (`io-error`, `lifecycle`) or a #GVirObjectEventKind nick
 *   (`network-lifecycle`, `storage-pool-refresh`)
 * @position: which argument of the kind's typed signal, from 0
 * @type: (out) (optional): where to store the argument's #GType
 *
 * Describes the arguments of an event kind's typed signal by name, from
 * the library's event table: the names are the keys of the kind's payload
 * (#GVirEvent:payload, the `payload` of
 * #GVirConnectionEvents::object-event), so a program reading a payload
 * learns each value's type (an enumeration, flags, a #GVirGraphicsClient)
 * from its key, never from its position.  For an object event kind the
 * argument at position 0 is the object itself, named after its family
 * (`network`, `pool`, `device`, `secret`) and typed by libvirt-gobject's
 * class (#GVirNetwork...); it is not in the payload.
 *
 * Walk the arguments with @position 0, 1, ... until %NULL.
 *
 * Returns: (nullable): the argument's name, or %NULL when @kind is no
 *   event kind or has no argument at @position (@type is then
 *   %G_TYPE_INVALID)
 */
const gchar *
gvir_event_kind_get_argument (const gchar *kind, guint position, GType *type)
{
    GEnumClass *klass;
    GEnumValue *value;
    GType found = G_TYPE_INVALID;
    const gchar *name = NULL;

    g_return_val_if_fail (kind != NULL, NULL);

    klass = g_type_class_ref (GVIR_TYPE_DOMAIN_EVENT_KIND);
    value = g_enum_get_value_by_nick (klass, kind);
    if (value) {
        const GVirEventSpec *spec = _gvir_event_spec_for_kind (value->value);

        if (spec && position < spec->n_params) {
            name = spec->params[position].name;
            found = _gvir_event_spec_param_type (spec, position);
        }
    }
    g_type_class_unref (klass);

    klass = g_type_class_ref (GVIR_TYPE_OBJECT_EVENT_KIND);
    value = name ? NULL : g_enum_get_value_by_nick (klass, kind);
    if (value) {
        const GVirObjectEventSpec *spec = _gvir_object_event_spec_for_kind (value->value);

        if (spec && position == 0) {
            name = spec->family->name;
            found = spec->family->object_type ();
        } else if (spec && position - 1 < spec->n_params) {
            name = spec->params[position - 1].name;
            found = _gvir_object_event_param_type (spec, position - 1);
        }
    }
    g_type_class_unref (klass);

    if (type)
        *type = found;
    return name;
}
