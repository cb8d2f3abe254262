/*
 * gvir-event-table.c: the one description of every domain event kind
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <libvirt/virterror.h>

#include "libvirt-gevents.h"
#include "gvir-event-table-private.h"
#include "gvir-graphics-client-private.h"
#include "gvir-events-text.h"

/*
 * C trampolines, one per libvirt callback signature (not per event kind):
 * each hands its arguments, untouched, to the sink it was registered with
 * (the hub's).  Decoding them into GValues is deferred until the dispatcher
 * knows somebody listens.
 */
#define DISPATCH(handle, opaque, ...) \
    G_STMT_START { \
        const GVirEventRaw raw_[] = { __VA_ARGS__ }; \
        GVirEventSink *sink_ = (opaque); \
        sink_->dispatch (sink_, (handle), raw_); \
    } G_STMT_END

static int
on_lifecycle (virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom,
              int event, int detail, void *opaque)
{
    DISPATCH (dom, opaque, { .i = event }, { .i = detail });
    return 0;
}

static void
on_none (virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom, void *opaque)
{
    DISPATCH (dom, opaque, { .p = NULL });
}

static void
on_i (virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom, int a, void *opaque)
{
    DISPATCH (dom, opaque, { .i = a });
}

static void
on_ii (virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom,
       int a, int b, void *opaque)
{
    DISPATCH (dom, opaque, { .i = a }, { .i = b });
}

static void
on_iiu (virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom,
        int a, int b, unsigned int c, void *opaque)
{
    DISPATCH (dom, opaque, { .i = a }, { .i = b }, { .u = c });
}

static void
on_is (virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom,
       int a, const char *b, void *opaque)
{
    DISPATCH (dom, opaque, { .i = a }, { .s = b });
}

static void
on_ll (virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom,
       long long a, void *opaque)
{
    DISPATCH (dom, opaque, { .ll = a });
}

static void
on_ull (virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom,
        unsigned long long a, void *opaque)
{
    DISPATCH (dom, opaque, { .ull = a });
}

static void
on_s (virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom,
      const char *a, void *opaque)
{
    DISPATCH (dom, opaque, { .s = a });
}

static void
on_si (virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom,
       const char *a, int b, void *opaque)
{
    DISPATCH (dom, opaque, { .s = a }, { .i = b });
}

static void
on_sii (virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom,
        const char *a, int b, int c, void *opaque)
{
    DISPATCH (dom, opaque, { .s = a }, { .i = b }, { .i = c });
}

static void
on_sull (virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom,
         const char *a, unsigned long long b, void *opaque)
{
    DISPATCH (dom, opaque, { .s = a }, { .ull = b });
}

static void
on_sssi (virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom,
         const char *a, const char *b, const char *c, int d, void *opaque)
{
    DISPATCH (dom, opaque, { .s = a }, { .s = b }, { .s = c }, { .i = d });
}

static void
on_ssis (virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom,
         const char *a, const char *b, int c, const char *d, void *opaque)
{
    DISPATCH (dom, opaque, { .s = a }, { .s = b }, { .i = c }, { .s = d });
}

static void
on_ssullull (virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom,
             const char *a, const char *b,
             unsigned long long c, unsigned long long d, void *opaque)
{
    DISPATCH (dom, opaque, { .s = a }, { .s = b }, { .ull = c }, { .ull = d });
}

static void
on_params (virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom,
           virTypedParameterPtr params, int nparams, void *opaque)
{
    DISPATCH (dom, opaque, { .p = params }, { .i = nparams });
}

static void
on_graphics (virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom, int phase,
             virDomainEventGraphicsAddressPtr local,
             virDomainEventGraphicsAddressPtr remote,
             const char *auth_scheme,
             virDomainEventGraphicsSubjectPtr subject, void *opaque)
{
    DISPATCH (dom, opaque, { .i = phase }, { .p = local }, { .p = remote },
              { .s = auth_scheme }, { .p = subject });
}

/*
 * The other objects' callbacks have two signatures between them: the
 * object then (event, detail), or the object alone.  A handle is a pointer
 * whatever its type, so one trampoline serves every family.
 */
static void
on_object_lifecycle (virConnectPtr conn G_GNUC_UNUSED, void *obj,
                     int event, int detail, void *opaque)
{
    DISPATCH (obj, opaque, { .i = event }, { .i = detail });
}

static void
on_object (virConnectPtr conn G_GNUC_UNUSED, void *obj, void *opaque)
{
    DISPATCH (obj, opaque, { .p = NULL });
}

/*
 * The families: libvirt's registration functions of each kind of object,
 * with one signature, and the GVirConnection's table of them where
 * libvirt-gobject keeps one (networks and pools, by UUID).
 */
#define FAMILY_REGISTRATION(prefix, Type) \
    static int \
    prefix##_register (virConnectPtr conn, int virt_id, GVirEventsCallback callback, \
                       void *opaque, virFreeCallback freecb) \
    { \
        return virConnect##Type##EventRegisterAny (conn, NULL, virt_id, \
            (virConnect##Type##EventGenericCallback) callback, opaque, freecb); \
    } \
    static int \
    prefix##_deregister (virConnectPtr conn, int callback_id) \
    { \
        return virConnect##Type##EventDeregisterAny (conn, callback_id); \
    }

/*
 * What the families with per-object companions (networks, pools) also need:
 * the UUID of a handle, its connection, the GVirConnection's own object for
 * it, and whether an object is gone from its connection.
 */
#define BY_UUID(prefix, Type, no_such_object) \
    static gboolean \
    prefix##_get_uuid (gconstpointer handle, gchar uuid[VIR_UUID_STRING_BUFLEN]) \
    { \
        if (vir##Type##GetUUIDString ((vir##Type##Ptr) handle, uuid) == 0) \
            return TRUE; \
        virResetLastError (); \
        return FALSE; \
    } \
    static virConnectPtr \
    prefix##_get_connect (gconstpointer handle) \
    { \
        return vir##Type##GetConnect ((vir##Type##Ptr) handle); \
    } \
    static GObject * \
    prefix##_find (GVirConnection *conn, gconstpointer handle) \
    { \
        char uuid[VIR_UUID_STRING_BUFLEN]; \
        return prefix##_get_uuid (handle, uuid) ? \
            (GObject *) gvir_connection_get_##prefix (conn, uuid) : NULL; \
    } \
    /* only libvirt's word that there is no such object: a dead link proves nothing */ \
    static gboolean \
    prefix##_is_gone (virConnectPtr conn, const gchar *uuid) \
    { \
        vir##Type##Ptr object = vir##Type##LookupByUUIDString (conn, uuid); \
        gboolean gone = !object && virGetLastErrorCode () == no_such_object; \
        if (object) \
            vir##Type##Free (object); \
        virResetLastError (); \
        return gone; \
    }

FAMILY_REGISTRATION (domain, Domain)
FAMILY_REGISTRATION (network, Network)
FAMILY_REGISTRATION (storage_pool, StoragePool)
FAMILY_REGISTRATION (node_device, NodeDevice)
FAMILY_REGISTRATION (secret, Secret)

BY_UUID (network, Network, VIR_ERR_NO_NETWORK)
BY_UUID (storage_pool, StoragePool, VIR_ERR_NO_STORAGE_POOL)

/* lifecycle events after which an object may be gone: undefined, stopped (a transient one) */
#define MAY_BE_GONE(undefined, stopped) ((1u << (undefined)) | (1u << (stopped)))

const GVirEventFamily _gvir_event_domain_family = {
    .name = "domain", .register_any = domain_register, .deregister_any = domain_deregister,
};
static const GVirEventFamily network_family = {
    .name = "network", .object_type = gvir_network_get_type,
    .register_any = network_register, .deregister_any = network_deregister,
    .find = network_find, .signal_prefix = "network-",
    .get_uuid = network_get_uuid,
    .get_connect = network_get_connect, .is_gone = network_is_gone,
    .gone_events = MAY_BE_GONE (VIR_NETWORK_EVENT_UNDEFINED, VIR_NETWORK_EVENT_STOPPED),
};
static const GVirEventFamily storage_pool_family = {
    .name = "pool", .object_type = gvir_storage_pool_get_type,
    .register_any = storage_pool_register, .deregister_any = storage_pool_deregister,
    .find = storage_pool_find, .signal_prefix = "storage-pool-",
    .get_uuid = storage_pool_get_uuid,
    .get_connect = storage_pool_get_connect, .is_gone = storage_pool_is_gone,
    .gone_events = MAY_BE_GONE (VIR_STORAGE_POOL_EVENT_UNDEFINED, VIR_STORAGE_POOL_EVENT_STOPPED),
};
/* libvirt-gobject 4.0 keeps no table of node devices or secrets: a new wrapper each time */
static const GVirEventFamily node_device_family = {
    .name = "device", .object_type = gvir_node_device_get_type,
    .register_any = node_device_register, .deregister_any = node_device_deregister,
};
static const GVirEventFamily secret_family = {
    .name = "secret", .object_type = gvir_secret_get_type,
    .register_any = secret_register, .deregister_any = secret_deregister,
};

/* Decoders for the kinds whose signal arguments are not libvirt's as they are. */

static void decode_positional (GVirEventEmission *em, const GVirEventRaw *raw);

/*
 * Every string from libvirt enters GLib here: as it is when it is UTF-8
 * (static: libvirt's own, for the callback's time), else repaired by
 * g_utf8_make_valid() with its bytes kept in *raw_bytes for the payload.
 * Only where a string is decoded, so only for a listener.
 */
static inline void
value_set_libvirt_string (GValue *value, GVariant **raw_bytes, const char *s, gboolean is_static)
{
    gchar *valid = gvir_events_utf8_repair (s);

    if (raw_bytes)
        g_clear_pointer (raw_bytes, g_variant_unref);
    if (G_LIKELY (!valid)) {
        if (is_static)
            g_value_set_static_string (value, s);
        else
            g_value_set_string (value, s);
        return;
    }
    if (raw_bytes)
        *raw_bytes = g_variant_ref_sink (gvir_events_bytes_variant (s));
    g_value_take_string (value, valid);
}

/* A string into a vardict under key, with "<key>-bytes" beside it if it was repaired. */
static void
builder_add_libvirt_string (GVariantBuilder *builder, const gchar *key, const char *s)
{
    g_autofree gchar *valid = gvir_events_utf8_repair (s);

    if (G_LIKELY (!valid)) {
        g_variant_builder_add (builder, "{sv}", key, g_variant_new_string (s));
    } else {
        g_autofree gchar *bytes_key = gvir_events_bytes_key (key);

        g_variant_builder_add (builder, "{sv}", key, g_variant_new_string (valid));
        g_variant_builder_add (builder, "{sv}", bytes_key, gvir_events_bytes_variant (s));
    }
}

static gboolean
decode_io_error (virDomainPtr dom, const GVirEventRaw *raw, GVirEventEmission *em)
{
    /* libvirt gives (src_path, alias, action, reason); users think in targets */
    const char *alias = raw[1].s;
    g_autofree gchar *disk = NULL;
    const GVirEventRaw args[] = {
        { .s = NULL }, { .s = alias }, { .s = raw[0].s }, { .i = raw[2].i }, { .s = raw[3].s },
    };

    /* the target costs the domain's XML the first time: only for a listener */
    if (!em->is_heard (em))
        return FALSE;
    disk = _gvir_domain_devices_disk_target (em->devices, dom, em->uuid, alias);
    decode_positional (em, args);
    value_set_libvirt_string (&em->values[1], &em->raw_bytes[0], disk ? disk : alias, FALSE);
    return TRUE;
}

static gboolean
decode_graphics (virDomainPtr dom, const GVirEventRaw *raw, GVirEventEmission *em)
{
    const virDomainEventGraphicsAddress *local = raw[1].p;
    int phase = raw[0].i;
    GVirGraphicsProtocol protocol;
    GVirDomainEventKind first;

    /*
     * The phase names the signal: a phase newer than this build has none to
     * go to (documented with GVirGraphicsPhase).
     */
    if (phase < GVIR_GRAPHICS_PHASE_CONNECT || phase > GVIR_GRAPHICS_PHASE_DISCONNECT) {
        g_debug ("libvirt-gevents: graphics event with unknown phase %d not emitted", phase);
        return FALSE;
    }
    /* the protocol costs the domain's XML the first time: only for a listener */
    if (!em->is_heard (em))
        return FALSE;

    protocol = _gvir_domain_devices_graphics_protocol (em->devices, dom, em->uuid,
                                                       local ? local->family : -1,
                                                       local ? local->node : NULL,
                                                       local ? local->service : NULL);
    first = protocol == GVIR_GRAPHICS_PROTOCOL_SPICE ?
        GVIR_DOMAIN_EVENT_KIND_SPICE_CONNECTED : GVIR_DOMAIN_EVENT_KIND_VNC_CONNECTED;
    em->spec = _gvir_event_spec_for_kind (first + phase);

    g_value_init (&em->values[1], GVIR_TYPE_GRAPHICS_CLIENT);
    g_value_take_object (&em->values[1],
                         _gvir_graphics_client_new (protocol, phase, local, raw[2].p,
                                                   raw[3].s, raw[4].p));
    return TRUE;
}

static GVariant *
typed_params_to_variant (const virTypedParameter *params, int nparams)
{
    GVariantBuilder builder;

    g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
    for (int i = 0; params && i < nparams; i++) {
        const virTypedParameter *p = &params[i];
        GVariant *value = NULL;
        /* the field is the daemon's too: bounded, and UTF-8 like any string */
        g_autofree gchar *bounded = memchr (p->field, '\0', sizeof (p->field)) ? NULL :
            g_strndup (p->field, sizeof (p->field));
        g_autofree gchar *valid_field = gvir_events_utf8_repair (bounded ? bounded : p->field);
        const gchar *field = valid_field ? valid_field : bounded ? bounded : p->field;

        switch (p->type) {
        case VIR_TYPED_PARAM_INT:     value = g_variant_new_int32 (p->value.i); break;
        case VIR_TYPED_PARAM_UINT:    value = g_variant_new_uint32 (p->value.ui); break;
        case VIR_TYPED_PARAM_LLONG:   value = g_variant_new_int64 (p->value.l); break;
        case VIR_TYPED_PARAM_ULLONG:  value = g_variant_new_uint64 (p->value.ul); break;
        case VIR_TYPED_PARAM_DOUBLE:  value = g_variant_new_double (p->value.d); break;
        case VIR_TYPED_PARAM_BOOLEAN: value = g_variant_new_boolean (p->value.b); break;
        case VIR_TYPED_PARAM_STRING:
            /* left out rather than faked as "", like NULL arguments in a payload */
            if (p->value.s)
                builder_add_libvirt_string (&builder, field, p->value.s);
            continue;
        default:
            g_debug ("libvirt-gevents: typed parameter %s has unknown type %d",
                     field, p->type);
            continue;
        }
        g_variant_builder_add (&builder, "{sv}", field, value);
    }
    return g_variant_builder_end (&builder);
}

static gboolean
decode_typed_params (virDomainPtr dom G_GNUC_UNUSED, const GVirEventRaw *raw,
                     GVirEventEmission *em)
{
    g_value_init (&em->values[1], G_TYPE_VARIANT);
    g_value_take_variant (&em->values[1], typed_params_to_variant (raw[0].p, raw[1].i));
    return TRUE;
}

static gboolean
decode_watermark (virDomainPtr dom G_GNUC_UNUSED, const GVirEventRaw *raw,
                  GVirEventEmission *em)
{
    /*
     * libvirt reports one crossing twice, for "vda" and for the image's
     * index in the chain, "vda[1]": emit it once, under the disk's name.
     */
    const char *dev = raw[0].s;
    const char *bracket = dev ? strchr (dev, '[') : NULL;
    g_autofree gchar *disk = bracket ? g_strndup (dev, bracket - dev) : g_strdup (dev);

    if (_gvir_domain_devices_watermark_is_repeat (em->devices, em->uuid, disk, bracket != NULL,
                                                  raw[1].s, raw[2].ull, raw[3].ull))
        return FALSE;

    decode_positional (em, raw);
    value_set_libvirt_string (&em->values[1], &em->raw_bytes[0], disk, FALSE);
    return TRUE;
}

static GType type_string (void) { return G_TYPE_STRING; }
static GType type_int (void) { return G_TYPE_INT; }
static GType type_int64 (void) { return G_TYPE_INT64; }
static GType type_uint64 (void) { return G_TYPE_UINT64; }
static GType type_variant (void) { return G_TYPE_VARIANT; }

#define CB(fn) ((virConnectDomainEventGenericCallback) (void (*) (void)) (fn))
#define ROW(kind, id, cb, decode, detail, n, ...) \
    { GVIR_DOMAIN_EVENT_KIND_##kind, VIR_DOMAIN_EVENT_ID_##id, #id, CB (cb), decode, \
      GVIR_EVENT_DETAIL_##detail, n, { __VA_ARGS__ } }
#define S(name) { name, type_string }
#define E(name, enum_type) { name, gvir_##enum_type##_get_type }
/* raw: user, user_domain, login_time_ms, as gvir-guest-users.c passes them */
#define POLLED(kind) \
    { GVIR_DOMAIN_EVENT_KIND_##kind, GVIR_EVENT_POLLED, NULL, NULL, NULL, \
      GVIR_EVENT_DETAIL_FIRST_ARG, 3, \
      { S ("user"), S ("user_domain"), { "login_time_ms", type_int64 } } }
#define GRAPHICS(kind) \
    ROW (kind, GRAPHICS, on_graphics, decode_graphics, NONE, 1, \
         { "client", gvir_graphics_client_get_type })

/* The table: one row per signal, in GVirDomainEventKind order. */
static const GVirEventSpec event_specs[] = {
    ROW (LIFECYCLE, LIFECYCLE, on_lifecycle, NULL, FIRST_ARG, 2,
         E ("event", domain_lifecycle_event), { "detail", type_int }),
    ROW (REBOOT, REBOOT, on_none, NULL, NONE, 0, { NULL, NULL }),
    ROW (RTC_CHANGE, RTC_CHANGE, on_ll, NULL, NONE, 1, { "utc_offset", type_int64 }),
    ROW (WATCHDOG, WATCHDOG, on_i, NULL, FIRST_ARG, 1,
         E ("action", domain_watchdog_action)),
    ROW (IO_ERROR, IO_ERROR_REASON, on_ssis, decode_io_error, FIRST_ARG, 5,
         S ("disk"), S ("alias"), S ("src_path"),
         E ("action", domain_io_error_action), S ("reason")),
    GRAPHICS (VNC_CONNECTED),
    GRAPHICS (VNC_INITIALIZED),
    GRAPHICS (VNC_DISCONNECTED),
    GRAPHICS (SPICE_CONNECTED),
    GRAPHICS (SPICE_INITIALIZED),
    GRAPHICS (SPICE_DISCONNECTED),
    ROW (CONTROL_ERROR, CONTROL_ERROR, on_none, NULL, NONE, 0, { NULL, NULL }),
    ROW (BLOCK_JOB, BLOCK_JOB_2, on_sii, NULL, FIRST_ARG, 3,
         S ("disk"), E ("type", domain_block_job_type),
         E ("status", domain_block_job_status)),
    ROW (DISK_CHANGE, DISK_CHANGE, on_sssi, NULL, NONE, 4,
         S ("old_src"), S ("new_src"), S ("alias"),
         E ("reason", domain_disk_change_reason)),
    ROW (TRAY_CHANGE, TRAY_CHANGE, on_si, NULL, NONE, 2,
         S ("alias"), E ("reason", domain_tray_change_reason)),
    ROW (PM_WAKEUP, PMWAKEUP, on_i, NULL, NONE, 1, { "reason", type_int }),
    ROW (PM_SUSPEND, PMSUSPEND, on_i, NULL, NONE, 1, { "reason", type_int }),
    ROW (PM_SUSPEND_DISK, PMSUSPEND_DISK, on_i, NULL, NONE, 1, { "reason", type_int }),
    ROW (BALLOON_CHANGE, BALLOON_CHANGE, on_ull, NULL, NONE, 1,
         { "actual_kib", type_uint64 }),
    ROW (DEVICE_ADDED, DEVICE_ADDED, on_s, NULL, FIRST_ARG, 1, S ("alias")),
    ROW (DEVICE_REMOVED, DEVICE_REMOVED, on_s, NULL, FIRST_ARG, 1, S ("alias")),
    ROW (DEVICE_REMOVAL_FAILED, DEVICE_REMOVAL_FAILED, on_s, NULL, FIRST_ARG, 1,
         S ("alias")),
    ROW (TUNABLE, TUNABLE, on_params, decode_typed_params, NONE, 1,
         { "params", type_variant }),
    ROW (AGENT_LIFECYCLE, AGENT_LIFECYCLE, on_ii, NULL, NONE, 2,
         E ("state", domain_agent_state), E ("reason", domain_agent_reason)),
    ROW (MIGRATION_ITERATION, MIGRATION_ITERATION, on_i, NULL, NONE, 1,
         { "iteration", type_int }),
    ROW (JOB_COMPLETED, JOB_COMPLETED, on_params, decode_typed_params, NONE, 1,
         { "stats", type_variant }),
    ROW (METADATA_CHANGE, METADATA_CHANGE, on_is, NULL, NONE, 2,
         E ("type", domain_metadata_type), S ("nsuri")),
    ROW (WATERMARK, BLOCK_THRESHOLD, on_ssullull, decode_watermark, FIRST_ARG, 4,
         S ("disk"), S ("path"), { "threshold", type_uint64 }, { "excess", type_uint64 }),
    ROW (MEMORY_FAILURE, MEMORY_FAILURE, on_iiu, NULL, NONE, 3,
         E ("recipient", domain_memory_failure_recipient),
         E ("action", domain_memory_failure_action),
         { "flags", gvir_domain_memory_failure_flags_get_type }),
    ROW (MEMORY_DEVICE_SIZE_CHANGE, MEMORY_DEVICE_SIZE_CHANGE, on_sull, NULL, NONE, 2,
         S ("alias"), { "size_kib", type_uint64 }),
    /* no libvirt event: the difference between two answers of the guest agent */
    POLLED (GUEST_USER_LOGON),
    POLLED (GUEST_USER_LOGOFF),
};

G_STATIC_ASSERT (G_N_ELEMENTS (event_specs) == GVIR_EVENT_N_KINDS);

#define OBJECT_CB(fn) ((GVirEventsCallback) (fn))
#define OBJECT_ROW(kind, family, id, cb, n, ...) \
    { GVIR_OBJECT_EVENT_KIND_##kind, &family##_family, id, #id, OBJECT_CB (cb), n, \
      { __VA_ARGS__ } }
#define OBJECT_LIFECYCLE(kind, family, id, enum_type) \
    OBJECT_ROW (kind, family, id, on_object_lifecycle, 2, \
                E ("event", enum_type), { "detail", type_int })

/* The sibling table: one row per signal of GVirConnectionEvents, in GVirObjectEventKind order. */
static const GVirObjectEventSpec object_event_specs[] = {
    OBJECT_LIFECYCLE (NETWORK_LIFECYCLE, network, VIR_NETWORK_EVENT_ID_LIFECYCLE,
                      network_lifecycle_event),
    OBJECT_LIFECYCLE (STORAGE_POOL_LIFECYCLE, storage_pool, VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
                      storage_pool_lifecycle_event),
    OBJECT_ROW (STORAGE_POOL_REFRESH, storage_pool, VIR_STORAGE_POOL_EVENT_ID_REFRESH,
                on_object, 0, { NULL, NULL }),
    OBJECT_LIFECYCLE (NODE_DEVICE_LIFECYCLE, node_device, VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE,
                      node_device_lifecycle_event),
    OBJECT_ROW (NODE_DEVICE_UPDATE, node_device, VIR_NODE_DEVICE_EVENT_ID_UPDATE,
                on_object, 0, { NULL, NULL }),
    OBJECT_LIFECYCLE (SECRET_LIFECYCLE, secret, VIR_SECRET_EVENT_ID_LIFECYCLE,
                      secret_lifecycle_event),
    OBJECT_ROW (SECRET_VALUE_CHANGED, secret, VIR_SECRET_EVENT_ID_VALUE_CHANGED,
                on_object, 0, { NULL, NULL }),
};

G_STATIC_ASSERT (G_N_ELEMENTS (object_event_specs) == GVIR_OBJECT_EVENT_N_KINDS);

/* Resolved once: GTypes of every argument, the first row of each libvirt ID. */
static GType param_types[GVIR_EVENT_N_KINDS][GVIR_EVENT_MAX_PARAMS];
/* detail quarks of enum first arguments, by value: no quark lookup per event */
#define N_CACHED_NICKS 16
static GQuark nick_quarks[GVIR_EVENT_N_KINDS][N_CACHED_NICKS];
static const GVirEventSpec *spec_by_virt_id[GVIR_EVENT_N_VIRT_IDS];
static GEnumClass *kind_class;
/* the same for the sibling table */
static GType object_param_types[GVIR_OBJECT_EVENT_N_KINDS][GVIR_OBJECT_EVENT_MAX_PARAMS];
static GQuark object_nick_quarks[GVIR_OBJECT_EVENT_N_KINDS][N_CACHED_NICKS];
static GEnumClass *object_kind_class;

/* Resolves a row's argument types; an enum first argument's nicks become detail quarks. */
static void
resolve_params (const GVirEventParam *params, guint n_params, gboolean detailed,
                GType *types, GQuark *quarks)
{
    for (guint i = 0; i < n_params; i++) {
        types[i] = params[i].type ();
        /* keep enum and flags classes alive so nicks can be peeked per event */
        if (G_TYPE_IS_ENUM (types[i]) || G_TYPE_IS_FLAGS (types[i]))
            g_type_class_ref (types[i]);
    }
    if (detailed && n_params > 0 && G_TYPE_IS_ENUM (types[0])) {
        GEnumClass *klass = g_type_class_peek (types[0]);

        for (guint v = 0; v < klass->n_values; v++) {
            if (klass->values[v].value >= 0 && klass->values[v].value < N_CACHED_NICKS)
                quarks[klass->values[v].value] =
                    g_quark_from_static_string (klass->values[v].value_nick);
        }
    }
}

static void
event_table_init (void)
{
    static gsize initialized;

    if (!g_once_init_enter (&initialized))
        return;

    kind_class = g_type_class_ref (GVIR_TYPE_DOMAIN_EVENT_KIND);
    for (guint k = 0; k < G_N_ELEMENTS (event_specs); k++) {
        const GVirEventSpec *spec = &event_specs[k];

        g_assert (spec->kind == (GVirDomainEventKind) k);
        if (spec->virt_id != GVIR_EVENT_POLLED && !spec_by_virt_id[spec->virt_id])
            spec_by_virt_id[spec->virt_id] = spec;
        resolve_params (spec->params, spec->n_params, spec->detail == GVIR_EVENT_DETAIL_FIRST_ARG,
                        param_types[k], nick_quarks[k]);
    }

    object_kind_class = g_type_class_ref (GVIR_TYPE_OBJECT_EVENT_KIND);
    for (guint k = 0; k < G_N_ELEMENTS (object_event_specs); k++) {
        const GVirObjectEventSpec *spec = &object_event_specs[k];

        g_assert (spec->kind == (GVirObjectEventKind) k);
        resolve_params (spec->params, spec->n_params, TRUE,
                        object_param_types[k], object_nick_quarks[k]);
    }
    g_once_init_leave (&initialized, 1);
}

const GVirEventSpec *
_gvir_event_spec_for_kind (GVirDomainEventKind kind)
{
    event_table_init ();
    if ((guint) kind >= G_N_ELEMENTS (event_specs))
        return NULL;
    return &event_specs[kind];
}

const GVirEventSpec *
_gvir_event_spec_for_virt_id (int virt_id)
{
    event_table_init ();
    if (virt_id < 0 || virt_id >= GVIR_EVENT_N_VIRT_IDS)
        return NULL;
    return spec_by_virt_id[virt_id];
}

/* The nick of a kind: the name of its signal. */
static const gchar *
kind_nick (GEnumClass * const *klass, gint kind)
{
    GEnumValue *value;

    event_table_init ();
    value = g_enum_get_value (*klass, kind);
    return value ? value->value_nick : NULL;
}

const gchar *
_gvir_event_kind_name (GVirDomainEventKind kind)
{
    return kind_nick (&kind_class, kind);
}

GType
_gvir_event_spec_param_type (const GVirEventSpec *spec, guint i)
{
    g_return_val_if_fail (i < spec->n_params, G_TYPE_INVALID);
    return param_types[spec->kind][i];
}

const GVirObjectEventSpec *
_gvir_object_event_spec_for_kind (GVirObjectEventKind kind)
{
    event_table_init ();
    if ((guint) kind >= G_N_ELEMENTS (object_event_specs))
        return NULL;
    return &object_event_specs[kind];
}

const gchar *
_gvir_object_event_kind_name (GVirObjectEventKind kind)
{
    return kind_nick (&object_kind_class, kind);
}

GType
_gvir_object_event_param_type (const GVirObjectEventSpec *spec, guint i)
{
    g_return_val_if_fail (i < spec->n_params, G_TYPE_INVALID);
    return object_param_types[spec->kind][i];
}

/* raw[i] is argument i: into values[i], by type. */
static inline void
values_set_positional (GValue *values, GVariant **raw_bytes, const GType *types,
                       guint n_params, const GVirEventRaw *raw)
{
    for (guint i = 0; i < n_params; i++) {
        GValue *value = &values[i];
        GType type = types[i];

        g_value_init (value, type);
        switch (G_TYPE_FUNDAMENTAL (type)) {
        case G_TYPE_STRING:
            value_set_libvirt_string (value, raw_bytes ? &raw_bytes[i] : NULL, raw[i].s, TRUE);
            break;
        case G_TYPE_ENUM:   g_value_set_enum (value, raw[i].i); break;
        case G_TYPE_INT:    g_value_set_int (value, raw[i].i); break;
        case G_TYPE_UINT:   g_value_set_uint (value, raw[i].u); break;
        case G_TYPE_FLAGS:  g_value_set_flags (value, raw[i].u); break;
        case G_TYPE_INT64:  g_value_set_int64 (value, raw[i].ll); break;
        case G_TYPE_UINT64: g_value_set_uint64 (value, raw[i].ull); break;
        default:
            g_assert_not_reached ();
        }
    }
}

static void
decode_positional (GVirEventEmission *em, const GVirEventRaw *raw)
{
    values_set_positional (&em->values[1], em->raw_bytes, param_types[em->spec->kind],
                           em->spec->n_params, raw);
}

/* The nick quark of an enum value; an unknown value has none: only detail-less handlers hear it. */
static inline GQuark
nick_quark (const GQuark *quarks, gint value)
{
    return value >= 0 && value < N_CACHED_NICKS ? quarks[value] : 0;
}

/* The arguments after the object, and the detail: the nick of an enum first. */
void
_gvir_object_emission_decode (GVirObjectEmission *em, const GVirEventRaw *raw)
{
    const GVirObjectEventSpec *spec = em->spec;
    const GType *types = object_param_types[spec->kind];

    /* no string arguments in this table */
    values_set_positional (&em->values[2], NULL, types, spec->n_params, raw);
    em->detail = spec->n_params > 0 && G_TYPE_IS_ENUM (types[0]) ?
        nick_quark (object_nick_quarks[spec->kind], g_value_get_enum (&em->values[2])) : 0;
}

static inline void
values_clear (GValue *values, guint n_values)
{
    /* G_IS_VALUE() is a type check per slot: the type alone says a slot was set */
    for (guint i = 0; i < n_values; i++) {
        if (G_VALUE_TYPE (&values[i]) != G_TYPE_INVALID)
            g_value_unset (&values[i]);
    }
}

void
_gvir_object_emission_clear (GVirObjectEmission *em)
{
    values_clear (em->values, G_N_ELEMENTS (em->values));
}

static GQuark
detail_of (const GVirEventEmission *em)
{
    const GValue *first = &em->values[1];

    if (em->spec->detail != GVIR_EVENT_DETAIL_FIRST_ARG)
        return 0;

    if (G_TYPE_IS_ENUM (param_types[em->spec->kind][0]))
        return nick_quark (nick_quarks[em->spec->kind], g_value_get_enum (first));

    /*
     * Nobody can have connected to a detail that is not a quark yet, so
     * there is no need to intern every disk or alias name we see.
     */
    return g_quark_try_string (g_value_get_string (first));
}

gboolean
_gvir_event_emission_decode (GVirEventEmission *em, virDomainPtr dom, const GVirEventRaw *raw)
{
    g_return_val_if_fail (em->spec != NULL, FALSE);

    if (em->spec->decode) {
        if (!em->spec->decode (dom, raw, em))
            return FALSE;
    } else {
        decode_positional (em, raw);
    }
    em->detail = detail_of (em);
    return TRUE;
}

void
_gvir_event_emission_clear (GVirEventEmission *em)
{
    values_clear (em->values, G_N_ELEMENTS (em->values));
    for (guint i = 0; i < G_N_ELEMENTS (em->raw_bytes); i++)
        g_clear_pointer (&em->raw_bytes[i], g_variant_unref);
}

static GVariant *
value_to_variant (const GValue *value)
{
    switch (G_TYPE_FUNDAMENTAL (G_VALUE_TYPE (value))) {
    case G_TYPE_STRING:
        return g_value_get_string (value) ?
            g_variant_new_string (g_value_get_string (value)) : NULL;
    case G_TYPE_ENUM:   return g_variant_new_int32 (g_value_get_enum (value));
    case G_TYPE_INT:    return g_variant_new_int32 (g_value_get_int (value));
    case G_TYPE_UINT:   return g_variant_new_uint32 (g_value_get_uint (value));
    case G_TYPE_FLAGS:  return g_variant_new_uint32 (g_value_get_flags (value));
    case G_TYPE_INT64:  return g_variant_new_int64 (g_value_get_int64 (value));
    case G_TYPE_UINT64: return g_variant_new_uint64 (g_value_get_uint64 (value));
    case G_TYPE_VARIANT: return g_value_get_variant (value);
    case G_TYPE_OBJECT:
        return _gvir_graphics_client_to_variant (g_value_get_object (value));
    default:
        g_assert_not_reached ();
    }
}

/*
 * The payload of a GVirEvent: the typed signal's arguments by name.  A NULL
 * string is left out rather than faked; enums are their libvirt numbers; a
 * string that was not UTF-8 is there repaired, its bytes under "<name>-bytes".
 */
static GVariant *
payload_new (const GVirEventParam *params, guint n_params, const GValue *args,
             GVariant * const *raw_bytes)
{
    GVariantBuilder builder;

    g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
    for (guint i = 0; i < n_params; i++) {
        GVariant *value = value_to_variant (&args[i]);

        if (value)
            g_variant_builder_add (&builder, "{sv}", params[i].name, value);
        if (raw_bytes && raw_bytes[i]) {
            g_autofree gchar *key = gvir_events_bytes_key (params[i].name);

            g_variant_builder_add (&builder, "{sv}", key, raw_bytes[i]);
        }
    }
    return g_variant_ref_sink (g_variant_builder_end (&builder));
}

GVariant *
_gvir_event_payload_new (const GVirEventSpec *spec, const GValue *args,
                        GVariant * const *raw_bytes)
{
    return payload_new (spec->params, spec->n_params, args, raw_bytes);
}

/* The same for the other objects: the arguments after the object, by name. */
GVariant *
_gvir_object_emission_payload_new (const GVirObjectEmission *em)
{
    return payload_new (em->spec->params, em->spec->n_params, &em->values[2], NULL);
}
