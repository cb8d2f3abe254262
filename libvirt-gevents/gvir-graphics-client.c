/*
 * gvir-graphics-client.c: a VNC or SPICE client of a domain's display
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <libvirt/libvirt.h>

#include "libvirt-gevents.h"
#include "gvir-graphics-client-private.h"
#include "gvir-events-text.h"

/**
 * SECTION:gvir-graphics-client
 * @title: GVirGraphicsClient
 * @short_description: a client of a domain's VNC or SPICE server
 * @see_also: #GVirDomainEvents::vnc-connected
 *
 * What libvirt tells of a remote display client in its graphics events: the
 * server's (local) and the client's (remote) addresses, the authentication
 * scheme, and the identities the client proved, such as its x509
 * distinguished name or SASL user name.  It is immutable.
 *
 * Its strings are valid UTF-8: one of libvirt's that is not is repaired
 * (g_utf8_make_valid()); the exact bytes are in the #GVirEvent payload's
 * `client`, as `ay` under the key with `-bytes` added (`remote_node-bytes`),
 * the identities as `identities-bytes`, an `a(ayay)` of the same pairs.
 */

typedef struct {
    GVirGraphicsAddressFamily family;
    gchar *node;
    gchar *service;
} Address;

struct _GVirGraphicsClient {
    GObject parent_instance;

    GVirGraphicsProtocol protocol;
    GVirGraphicsPhase phase;
    Address local;
    Address remote;
    gchar *auth_scheme;
    GVariant *identities;           /* a(ss): (type, name) */
    GVariant *raw_bytes;            /* a{sv}: "<key>-bytes" of repaired strings, or NULL */
};

G_DEFINE_FINAL_TYPE (GVirGraphicsClient, gvir_graphics_client, G_TYPE_OBJECT)

enum {
    PROP_0,
    PROP_PROTOCOL,
    PROP_PHASE,
    PROP_LOCAL_FAMILY,
    PROP_LOCAL_NODE,
    PROP_LOCAL_SERVICE,
    PROP_REMOTE_FAMILY,
    PROP_REMOTE_NODE,
    PROP_REMOTE_SERVICE,
    PROP_AUTH_SCHEME,
    PROP_IDENTITIES,
    PROP_X509_DNAME,
    PROP_SASL_USERNAME,
    N_PROPS
};

static GParamSpec *props[N_PROPS];

static void
gvir_graphics_client_finalize (GObject *object)
{
    GVirGraphicsClient *self = GVIR_GRAPHICS_CLIENT (object);

    g_free (self->local.node);
    g_free (self->local.service);
    g_free (self->remote.node);
    g_free (self->remote.service);
    g_free (self->auth_scheme);
    g_clear_pointer (&self->identities, g_variant_unref);
    g_clear_pointer (&self->raw_bytes, g_variant_unref);

    G_OBJECT_CLASS (gvir_graphics_client_parent_class)->finalize (object);
}

static void
gvir_graphics_client_get_property (GObject *object, guint prop_id,
                                   GValue *value, GParamSpec *pspec)
{
    GVirGraphicsClient *self = GVIR_GRAPHICS_CLIENT (object);

    switch (prop_id) {
    case PROP_PROTOCOL:       g_value_set_enum (value, self->protocol); break;
    case PROP_PHASE:          g_value_set_enum (value, self->phase); break;
    case PROP_LOCAL_FAMILY:   g_value_set_enum (value, self->local.family); break;
    case PROP_LOCAL_NODE:     g_value_set_string (value, self->local.node); break;
    case PROP_LOCAL_SERVICE:  g_value_set_string (value, self->local.service); break;
    case PROP_REMOTE_FAMILY:  g_value_set_enum (value, self->remote.family); break;
    case PROP_REMOTE_NODE:    g_value_set_string (value, self->remote.node); break;
    case PROP_REMOTE_SERVICE: g_value_set_string (value, self->remote.service); break;
    case PROP_AUTH_SCHEME:    g_value_set_string (value, self->auth_scheme); break;
    case PROP_IDENTITIES:     g_value_set_variant (value, self->identities); break;
    case PROP_X509_DNAME:
        g_value_set_string (value, gvir_graphics_client_get_x509_dname (self));
        break;
    case PROP_SASL_USERNAME:
        g_value_set_string (value, gvir_graphics_client_get_sasl_username (self));
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gvir_graphics_client_class_init (GVirGraphicsClientClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS (klass);
    const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

    object_class->finalize = gvir_graphics_client_finalize;
    object_class->get_property = gvir_graphics_client_get_property;

    /**
     * GVirGraphicsClient:protocol:
     *
     * The protocol of the server the client talks to.
     */
    props[PROP_PROTOCOL] = g_param_spec_enum ("protocol", "Protocol",
                                              "The protocol of the server the client talks to", GVIR_TYPE_GRAPHICS_PROTOCOL,
                                              GVIR_GRAPHICS_PROTOCOL_VNC, flags);
    /**
     * GVirGraphicsClient:phase:
     *
     * The phase of the connection the event reported.
     */
    props[PROP_PHASE] = g_param_spec_enum ("phase", "Phase",
                                           "The phase of the connection the event reported", GVIR_TYPE_GRAPHICS_PHASE,
                                           GVIR_GRAPHICS_PHASE_CONNECT, flags);
    /**
     * GVirGraphicsClient:local-family:
     *
     * The family of the server's address.
     */
    props[PROP_LOCAL_FAMILY] = g_param_spec_enum ("local-family", "Local family",
                                                  "The family of the server's address",
                                                  GVIR_TYPE_GRAPHICS_ADDRESS_FAMILY,
                                                  GVIR_GRAPHICS_ADDRESS_FAMILY_IPV4, flags);
    /**
     * GVirGraphicsClient:local-node:
     *
     * The server's address (`127.0.0.1`), or its socket's path.
     */
    props[PROP_LOCAL_NODE] = g_param_spec_string ("local-node", "Local node",
                                                  "The server's address (127.0.0.1), or its socket's path", NULL, flags);
    /**
     * GVirGraphicsClient:local-service:
     *
     * The server's port (`5900`).
     */
    props[PROP_LOCAL_SERVICE] = g_param_spec_string ("local-service", "Local service",
                                                     "The server's port (5900)", NULL, flags);
    /**
     * GVirGraphicsClient:remote-family:
     *
     * The family of the client's address.
     */
    props[PROP_REMOTE_FAMILY] = g_param_spec_enum ("remote-family", "Remote family",
                                                   "The family of the client's address",
                                                   GVIR_TYPE_GRAPHICS_ADDRESS_FAMILY,
                                                   GVIR_GRAPHICS_ADDRESS_FAMILY_IPV4, flags);
    /**
     * GVirGraphicsClient:remote-node:
     *
     * The client's address.
     */
    props[PROP_REMOTE_NODE] = g_param_spec_string ("remote-node", "Remote node",
                                                   "The client's address", NULL, flags);
    /**
     * GVirGraphicsClient:remote-service:
     *
     * The client's port.
     */
    props[PROP_REMOTE_SERVICE] = g_param_spec_string ("remote-service", "Remote service",
                                                      "The client's port", NULL, flags);
    /**
     * GVirGraphicsClient:auth-scheme:
     *
     * How the client authenticated (`none`, `vnc`, `sasl`, `x509`...).
     */
    props[PROP_AUTH_SCHEME] = g_param_spec_string ("auth-scheme", "Auth scheme",
                                                   "How the client authenticated (none, vnc, sasl, x509...)", NULL, flags);
    /**
     * GVirGraphicsClient:identities:
     *
     * Every identity the client proved, as an `a(ss)` of (type, name) pairs;
     * libvirt's types are `x509dname` and `saslUsername`.
     */
    props[PROP_IDENTITIES] = g_param_spec_variant ("identities", "Identities",
                                                   "Every identity the client proved, as an a(ss) of (type, name) pairs; libvirt's types are x509dname and saslUsername",
                                                   G_VARIANT_TYPE ("a(ss)"), NULL, flags);
    /**
     * GVirGraphicsClient:x509-dname:
     *
     * The distinguished name of the client's x509 certificate, if it gave one.
     */
    props[PROP_X509_DNAME] = g_param_spec_string ("x509-dname", "X509 dname",
                                                  "The distinguished name of the client's x509 certificate, if it gave one", NULL, flags);
    /**
     * GVirGraphicsClient:sasl-username:
     *
     * The user name the client authenticated as with SASL, if it did.
     */
    props[PROP_SASL_USERNAME] = g_param_spec_string ("sasl-username", "Sasl username",
                                                     "The user name the client authenticated as with SASL, if it did", NULL, flags);
    g_object_class_install_properties (object_class, N_PROPS, props);
}

/* What g_object_new() alone gives (a binding's default constructor): no identity. */
static void
gvir_graphics_client_init (GVirGraphicsClient *self)
{
    self->identities = g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("(ss)"), NULL, 0));
}

/*
 * What the client keeps of a string from libvirt: a copy if UTF-8, else its
 * repair, the bytes going into raw under "<key>-bytes" (for the payload).
 */
static gchar *
libvirt_string (const char *s, const gchar *key, GVariantBuilder *raw, gboolean *repaired)
{
    gchar *valid = gvir_events_utf8_repair (s);
    g_autofree gchar *bytes_key = NULL;

    if (G_LIKELY (!valid))
        return g_strdup (s);
    bytes_key = gvir_events_bytes_key (key);
    g_variant_builder_add (raw, "{sv}", bytes_key, gvir_events_bytes_variant (s));
    *repaired = TRUE;
    return valid;
}

static void
address_init (Address *address, const virDomainEventGraphicsAddress *from,
              const gchar *node_key, const gchar *service_key,
              GVariantBuilder *raw, gboolean *repaired)
{
    if (!from)
        return;
    address->family = from->family;
    address->node = libvirt_string (from->node, node_key, raw, repaired);
    address->service = libvirt_string (from->service, service_key, raw, repaired);
}

GVirGraphicsClient *
_gvir_graphics_client_new (GVirGraphicsProtocol protocol,
                          int phase,
                          const virDomainEventGraphicsAddress *local,
                          const virDomainEventGraphicsAddress *remote,
                          const gchar *auth_scheme,
                          const virDomainEventGraphicsSubject *subject)
{
    GVirGraphicsClient *self = g_object_new (GVIR_TYPE_GRAPHICS_CLIENT, NULL);
    GVariantBuilder identities, identities_bytes, raw;
    gboolean repaired = FALSE, identity_repaired = FALSE;

    g_variant_builder_init (&raw, G_VARIANT_TYPE_VARDICT);
    self->protocol = protocol;
    self->phase = phase;
    address_init (&self->local, local, "local_node", "local_service", &raw, &repaired);
    address_init (&self->remote, remote, "remote_node", "remote_service", &raw, &repaired);
    self->auth_scheme = libvirt_string (auth_scheme, "auth_scheme", &raw, &repaired);

    /* identities-bytes: the same pairs as identities, as libvirt's bytes */
    g_variant_builder_init (&identities, G_VARIANT_TYPE ("a(ss)"));
    g_variant_builder_init (&identities_bytes, G_VARIANT_TYPE ("a(ayay)"));
    for (int i = 0; subject && subject->identities && i < subject->nidentity; i++) {
        const virDomainEventGraphicsSubjectIdentity *id = &subject->identities[i];
        g_autofree gchar *type = NULL, *name = NULL;

        if (!id->type || !id->name)
            continue;
        type = gvir_events_utf8_repair (id->type);
        name = gvir_events_utf8_repair (id->name);
        identity_repaired |= type || name;
        g_variant_builder_add (&identities, "(ss)", type ? type : id->type, name ? name : id->name);
        g_variant_builder_add (&identities_bytes, "(@ay@ay)", gvir_events_bytes_variant (id->type),
                               gvir_events_bytes_variant (id->name));
    }
    g_variant_unref (self->identities);
    self->identities = g_variant_ref_sink (g_variant_builder_end (&identities));
    if (identity_repaired) {
        g_variant_builder_add (&raw, "{sv}", "identities-bytes",
                               g_variant_builder_end (&identities_bytes));
        repaired = TRUE;
    } else {
        g_variant_builder_clear (&identities_bytes);
    }
    if (repaired)
        self->raw_bytes = g_variant_ref_sink (g_variant_builder_end (&raw));
    else
        g_variant_builder_clear (&raw);
    return self;
}

static void
add_string (GVariantBuilder *builder, const gchar *key, const gchar *value)
{
    if (value)
        g_variant_builder_add (builder, "{sv}", key, g_variant_new_string (value));
}

/* The client in a GVirEvent payload: its properties, named like signal arguments. */
GVariant *
_gvir_graphics_client_to_variant (GVirGraphicsClient *self)
{
    GVariantBuilder builder;

    g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
    g_variant_builder_add (&builder, "{sv}", "protocol", g_variant_new_int32 (self->protocol));
    g_variant_builder_add (&builder, "{sv}", "phase", g_variant_new_int32 (self->phase));
    g_variant_builder_add (&builder, "{sv}", "local_family", g_variant_new_int32 (self->local.family));
    add_string (&builder, "local_node", self->local.node);
    add_string (&builder, "local_service", self->local.service);
    g_variant_builder_add (&builder, "{sv}", "remote_family", g_variant_new_int32 (self->remote.family));
    add_string (&builder, "remote_node", self->remote.node);
    add_string (&builder, "remote_service", self->remote.service);
    add_string (&builder, "auth_scheme", self->auth_scheme);
    g_variant_builder_add (&builder, "{sv}", "identities", self->identities);
    if (self->raw_bytes) {
        GVariantIter iter;
        const gchar *key;
        GVariant *value;

        g_variant_iter_init (&iter, self->raw_bytes);
        while (g_variant_iter_loop (&iter, "{&sv}", &key, &value))
            g_variant_builder_add (&builder, "{sv}", key, value);
    }
    return g_variant_builder_end (&builder);
}

#define GETTER(type, name, expr, fallback) \
    type gvir_graphics_client_get_##name (GVirGraphicsClient *self) \
    { \
        g_return_val_if_fail (GVIR_IS_GRAPHICS_CLIENT (self), fallback); \
        return expr; \
    }

/**
 * gvir_graphics_client_get_protocol:
 * @self: a #GVirGraphicsClient
 *
 * Gets the protocol of the server the client talks to.
 *
 * Returns: the protocol of the server the client talks to
 */
GETTER (GVirGraphicsProtocol, protocol, self->protocol, GVIR_GRAPHICS_PROTOCOL_VNC)

/**
 * gvir_graphics_client_get_phase:
 * @self: a #GVirGraphicsClient
 *
 * Gets the phase of the connection the event reported.
 *
 * Returns: the phase of the connection the event reported
 */
GETTER (GVirGraphicsPhase, phase, self->phase, GVIR_GRAPHICS_PHASE_CONNECT)

/**
 * gvir_graphics_client_get_local_family:
 * @self: a #GVirGraphicsClient
 *
 * Gets the family of the server's address.
 *
 * Returns: the family of the server's address
 */
GETTER (GVirGraphicsAddressFamily, local_family, self->local.family, GVIR_GRAPHICS_ADDRESS_FAMILY_IPV4)

/**
 * gvir_graphics_client_get_local_node:
 * @self: a #GVirGraphicsClient
 *
 * Gets the server's address, or its socket's path.
 *
 * Returns: (nullable): the server's address, or its socket's path
 */
GETTER (const gchar *, local_node, self->local.node, NULL)

/**
 * gvir_graphics_client_get_local_service:
 * @self: a #GVirGraphicsClient
 *
 * Gets the server's port.
 *
 * Returns: (nullable): the server's port
 */
GETTER (const gchar *, local_service, self->local.service, NULL)

/**
 * gvir_graphics_client_get_remote_family:
 * @self: a #GVirGraphicsClient
 *
 * Gets the family of the client's address.
 *
 * Returns: the family of the client's address
 */
GETTER (GVirGraphicsAddressFamily, remote_family, self->remote.family, GVIR_GRAPHICS_ADDRESS_FAMILY_IPV4)

/**
 * gvir_graphics_client_get_remote_node:
 * @self: a #GVirGraphicsClient
 *
 * Gets the client's address.
 *
 * Returns: (nullable): the client's address
 */
GETTER (const gchar *, remote_node, self->remote.node, NULL)

/**
 * gvir_graphics_client_get_remote_service:
 * @self: a #GVirGraphicsClient
 *
 * Gets the client's port.
 *
 * Returns: (nullable): the client's port
 */
GETTER (const gchar *, remote_service, self->remote.service, NULL)

/**
 * gvir_graphics_client_get_auth_scheme:
 * @self: a #GVirGraphicsClient
 *
 * Gets how the client authenticated (`none`, `vnc`, `sasl`...).
 *
 * Returns: (nullable): how the client authenticated (`none`, `vnc`, `sasl`...)
 */
GETTER (const gchar *, auth_scheme, self->auth_scheme, NULL)

/**
 * gvir_graphics_client_get_identities:
 * @self: a #GVirGraphicsClient
 *
 * Gets every identity the client proved.
 *
 * Returns: (transfer none): an `a(ss)` #GVariant of (type, name) pairs
 */
GETTER (GVariant *, identities, self->identities, NULL)

/**
 * gvir_graphics_client_get_identity:
 * @self: a #GVirGraphicsClient
 * @type: an identity type, such as `x509dname` or `saslUsername`
 *
 * Finds the first identity of a type the client proved.
 *
 * Returns: (nullable): its name, or %NULL if the client proved none of @type
 */
const gchar *
gvir_graphics_client_get_identity (GVirGraphicsClient *self, const gchar *type)
{
    GVariantIter iter;
    const gchar *id_type, *id_name;

    g_return_val_if_fail (GVIR_IS_GRAPHICS_CLIENT (self), NULL);
    g_return_val_if_fail (type != NULL, NULL);

    /* the names point into self->identities, which lives as long as self */
    g_variant_iter_init (&iter, self->identities);
    while (g_variant_iter_next (&iter, "(&s&s)", &id_type, &id_name)) {
        if (g_str_equal (id_type, type))
            return id_name;
    }
    return NULL;
}

/**
 * gvir_graphics_client_get_x509_dname:
 * @self: a #GVirGraphicsClient
 *
 * Gets the distinguished name of the x509 certificate the client
 * authenticated with (its `x509dname` identity).
 *
 * Returns: (nullable): the distinguished name of the client's x509
 *   certificate, or %NULL if it gave none
 */
const gchar *
gvir_graphics_client_get_x509_dname (GVirGraphicsClient *self)
{
    return gvir_graphics_client_get_identity (self, "x509dname");
}

/**
 * gvir_graphics_client_get_sasl_username:
 * @self: a #GVirGraphicsClient
 *
 * Gets the user name the client authenticated as with SASL (its
 * `saslUsername` identity).
 *
 * Returns: (nullable): the SASL user name the client authenticated as, or
 *   %NULL if it did not use SASL
 */
const gchar *
gvir_graphics_client_get_sasl_username (GVirGraphicsClient *self)
{
    return gvir_graphics_client_get_identity (self, "saslUsername");
}
