/*
 * fuzz-events.c: a libFuzzer target for everything a daemon's bytes pass
 * through: every row of the event table, decoded from random raw arguments
 * (strings that are any bytes or NULL, typed-parameter arrays of any types,
 * graphics addresses and identities, enum values no libvirt has), the typed
 * signals' arguments, the GVirEvent payload, gvir_event_to_string(), and
 * gvir-events' JSON and text renderers (tools/gvir-events-render.c).
 *
 * It checks what the rules promise, not only that nothing crashes: every
 * string a signal hands out is UTF-8, every human line is one line with
 * nothing a terminal obeys, every JSON line parses.  Run under ASan and
 * UBSan (meson -Dfuzzing=true with clang; tools/run-tests).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libvirt-gevents/libvirt-gevents.h>
#include "libvirt-gevents/gvir-events-hub-private.h"
#include "libvirt-gevents/gvir-events-text.h"
#include "tools/gvir-events-render.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* The input, read from the front; past its end everything is 0. */
typedef struct {
    const guint8 *data;
    size_t size;
    GPtrArray *owned;           /* what the raw arguments point to */
} Input;

static guint8
take_byte (Input *in)
{
    guint8 b = 0;

    if (in->size > 0) {
        b = in->data[0];
        in->data++;
        in->size--;
    }
    return b;
}

static guint64
take_u64 (Input *in, guint n_bytes)
{
    guint64 v = 0;

    for (guint i = 0; i < n_bytes; i++)
        v = (v << 8) | take_byte (in);
    return v;
}

/* An int: mostly small (the enums' range and just past it), sometimes any. */
static int
take_int (Input *in)
{
    guint8 how = take_byte (in);

    if (how < 200)
        return (int) (how % 24) - 2;
    return (int) (guint32) take_u64 (in, 4);
}

/* Memory the raw arguments point to, freed after the input. */
static gpointer
keep (Input *in, gpointer p)
{
    g_ptr_array_add (in->owned, p);
    return p;
}

/* Any bytes but NUL (a C string), or NULL. */
static char *
take_string (Input *in)
{
    guint8 len = take_byte (in);
    char *s;

    if (len == 0xff)
        return NULL;
    len %= 64;
    s = keep (in, g_malloc (len + 1));
    for (guint i = 0; i < len; i++) {
        s[i] = (char) take_byte (in);
        if (!s[i])
            s[i] = '?';
    }
    s[len] = '\0';
    return s;
}

static virTypedParameterPtr
take_params (Input *in, int *n)
{
    guint8 count = take_byte (in);
    virTypedParameterPtr params;

    *n = 0;
    if (count == 0xff)
        return NULL;
    count %= 12;
    params = keep (in, g_new0 (virTypedParameter, count + 1));
    for (guint i = 0; i < count; i++) {
        virTypedParameterPtr p = &params[i];
        char *field = take_string (in);
        guint8 type = take_byte (in);

        /* now and then a field without its NUL (libvirt promises one, the RPC may not) */
        if (field && strlen (field) > 40 && (field[0] & 1))
            memset (p->field, 'f', sizeof (p->field));
        else if (field)
            g_strlcpy (p->field, field, sizeof (p->field));
        p->type = type < 240 ? (type % 6) + 1 : type;   /* unknown types too */
        switch (p->type) {
        case VIR_TYPED_PARAM_INT:     p->value.i = take_int (in); break;
        case VIR_TYPED_PARAM_UINT:    p->value.ui = (guint) take_u64 (in, 4); break;
        case VIR_TYPED_PARAM_LLONG:   p->value.l = (long long) take_u64 (in, 8); break;
        case VIR_TYPED_PARAM_ULLONG:  p->value.ul = take_u64 (in, 8); break;
        case VIR_TYPED_PARAM_DOUBLE: {
            guint64 bits = take_u64 (in, 8);

            memcpy (&p->value.d, &bits, sizeof (p->value.d));   /* NaNs and infinities too */
            break;
        }
        case VIR_TYPED_PARAM_BOOLEAN: p->value.b = take_byte (in) & 1; break;
        case VIR_TYPED_PARAM_STRING:  p->value.s = take_string (in); break;
        default:                      p->value.ul = take_u64 (in, 8); break;
        }
    }
    /* a count larger than the array is libvirt's bug, not the daemon's: never */
    *n = count;
    return params;
}

static virDomainEventGraphicsAddressPtr
take_address (Input *in)
{
    virDomainEventGraphicsAddressPtr a;

    if (take_byte (in) == 0xff)
        return NULL;
    a = keep (in, g_new0 (virDomainEventGraphicsAddress, 1));
    a->family = take_int (in);
    a->node = take_string (in);
    a->service = take_string (in);
    return a;
}

static virDomainEventGraphicsSubjectPtr
take_subject (Input *in)
{
    virDomainEventGraphicsSubjectPtr s;
    guint8 n = take_byte (in);

    if (n == 0xff)
        return NULL;
    s = keep (in, g_new0 (virDomainEventGraphicsSubject, 1));
    s->nidentity = n % 6;
    s->identities = keep (in, g_new0 (virDomainEventGraphicsSubjectIdentity, s->nidentity + 1));
    for (int i = 0; i < s->nidentity; i++) {
        s->identities[i].type = take_string (in);
        s->identities[i].name = take_string (in);
    }
    return s;
}

/*
 * The raw arguments of each row, as its libvirt callback (or, for the
 * polled rows, gvir-guest-users.c) passes them: i int, u unsigned, l long
 * long, U unsigned long long, s string, P typed parameters and their count,
 * A graphics address, S graphics subject.
 */
static const gchar *const shapes[GVIR_EVENT_N_KINDS] = {
    [GVIR_DOMAIN_EVENT_KIND_LIFECYCLE] = "ii",
    [GVIR_DOMAIN_EVENT_KIND_REBOOT] = "",
    [GVIR_DOMAIN_EVENT_KIND_RTC_CHANGE] = "l",
    [GVIR_DOMAIN_EVENT_KIND_WATCHDOG] = "i",
    [GVIR_DOMAIN_EVENT_KIND_IO_ERROR] = "ssis",
    [GVIR_DOMAIN_EVENT_KIND_VNC_CONNECTED] = "iAAsS",
    [GVIR_DOMAIN_EVENT_KIND_VNC_INITIALIZED] = "iAAsS",
    [GVIR_DOMAIN_EVENT_KIND_VNC_DISCONNECTED] = "iAAsS",
    [GVIR_DOMAIN_EVENT_KIND_SPICE_CONNECTED] = "iAAsS",
    [GVIR_DOMAIN_EVENT_KIND_SPICE_INITIALIZED] = "iAAsS",
    [GVIR_DOMAIN_EVENT_KIND_SPICE_DISCONNECTED] = "iAAsS",
    [GVIR_DOMAIN_EVENT_KIND_CONTROL_ERROR] = "",
    [GVIR_DOMAIN_EVENT_KIND_BLOCK_JOB] = "sii",
    [GVIR_DOMAIN_EVENT_KIND_DISK_CHANGE] = "sssi",
    [GVIR_DOMAIN_EVENT_KIND_TRAY_CHANGE] = "si",
    [GVIR_DOMAIN_EVENT_KIND_PM_WAKEUP] = "i",
    [GVIR_DOMAIN_EVENT_KIND_PM_SUSPEND] = "i",
    [GVIR_DOMAIN_EVENT_KIND_PM_SUSPEND_DISK] = "i",
    [GVIR_DOMAIN_EVENT_KIND_BALLOON_CHANGE] = "U",
    [GVIR_DOMAIN_EVENT_KIND_DEVICE_ADDED] = "s",
    [GVIR_DOMAIN_EVENT_KIND_DEVICE_REMOVED] = "s",
    [GVIR_DOMAIN_EVENT_KIND_DEVICE_REMOVAL_FAILED] = "s",
    [GVIR_DOMAIN_EVENT_KIND_TUNABLE] = "P",
    [GVIR_DOMAIN_EVENT_KIND_AGENT_LIFECYCLE] = "ii",
    [GVIR_DOMAIN_EVENT_KIND_MIGRATION_ITERATION] = "i",
    [GVIR_DOMAIN_EVENT_KIND_JOB_COMPLETED] = "P",
    [GVIR_DOMAIN_EVENT_KIND_METADATA_CHANGE] = "is",
    [GVIR_DOMAIN_EVENT_KIND_WATERMARK] = "ssUU",
    [GVIR_DOMAIN_EVENT_KIND_MEMORY_FAILURE] = "iiu",
    [GVIR_DOMAIN_EVENT_KIND_MEMORY_DEVICE_SIZE_CHANGE] = "sU",
    [GVIR_DOMAIN_EVENT_KIND_GUEST_USER_LOGON] = "ssl",
    [GVIR_DOMAIN_EVENT_KIND_GUEST_USER_LOGOFF] = "ssl",
};

/* What a terminal obeys; any of it in a human line is a finding. */
static void
assert_printable (const gchar *line)
{
    if (!g_utf8_validate (line, -1, NULL))
        g_error ("fuzz-events: a human line that is not UTF-8: %s", line);
    for (const gchar *p = line; *p; p = g_utf8_next_char (p)) {
        gunichar c = g_utf8_get_char (p);

        if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x061c || c == 0x200e || c == 0x200f ||
            (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
            g_error ("fuzz-events: raw U+%04X in a human line", c);
    }
}

/* Strings the signals hand out are UTF-8; variants are sound. */
static void
check_value (const GValue *value)
{
    if (G_VALUE_HOLDS_STRING (value)) {
        const gchar *s = g_value_get_string (value);

        if (s && !g_utf8_validate (s, -1, NULL))
            g_error ("fuzz-events: a signal argument that is not UTF-8");
    } else if (G_VALUE_HOLDS_VARIANT (value)) {
        GVariant *v = g_value_get_variant (value);

        if (v && !g_variant_is_normal_form (v))
            g_error ("fuzz-events: a variant argument not in normal form");
    } else if (G_VALUE_HOLDS (value, GVIR_TYPE_GRAPHICS_CLIENT)) {
        GVirGraphicsClient *client = g_value_get_object (value);
        const gchar *strings[] = {
            gvir_graphics_client_get_local_node (client), gvir_graphics_client_get_remote_node (client),
            gvir_graphics_client_get_local_service (client),
            gvir_graphics_client_get_remote_service (client),
            gvir_graphics_client_get_auth_scheme (client), gvir_graphics_client_get_x509_dname (client),
            gvir_graphics_client_get_sasl_username (client),
        };

        for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
            if (strings[i] && !g_utf8_validate (strings[i], -1, NULL))
                g_error ("fuzz-events: a graphics client string that is not UTF-8");
    }
}

/* Every typed signal of the companion: its arguments checked. */
static void
on_typed (GClosure *closure, GValue *return_value, guint n_param_values,
          const GValue *param_values, gpointer hint, gpointer marshal_data)
{
    for (guint i = 1; i < n_param_values; i++)
        check_value (&param_values[i]);
}

static guint n_events;

/* domain-event: the record, its line, and the tool's renderings of it. */
static void
on_domain_event (GVirConnectionEvents *events, GVirDomain *domain, GVirEvent *event, gpointer data)
{
    g_autofree gchar *line = gvir_event_to_string (event);
    g_autofree gchar *name = NULL, *words = NULL, *human = NULL, *text = NULL;
    g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
    g_autoptr(JsonGenerator) gen = json_generator_new ();
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autoptr(GError) error = NULL;
    guint width = 0;

    n_events++;
    if (!g_variant_is_normal_form (gvir_event_get_payload (event)))
        g_error ("fuzz-events: a payload not in normal form");
    assert_printable (line);

    json_node_take_object (root, render_event_data (event));
    json_generator_set_root (gen, root);
    text = json_generator_to_data (gen, NULL);
    if (!json_parser_load_from_data (parser, text, -1, &error))
        g_error ("fuzz-events: a JSON line that does not parse: %s", error->message);

    render_event_text (event, &name, &words);
    human = render_human_line (FALSE, "12:00:00", "test:///default", 16, &width, name, words,
                               "\033[31m");
    assert_printable (human);
}

/* object-event: the payload and the tool's words for it. */
static void
on_object_event (GVirConnectionEvents *events, GObject *object, GVirObjectEventKind kind,
                 GVariant *payload, gpointer data)
{
    const gchar *kind_name = enum_nick (GVIR_TYPE_OBJECT_EVENT_KIND, kind);
    g_autoptr(JsonObject) json = NULL;
    g_autofree gchar *words = NULL;

    n_events++;
    if (!kind_name || !g_variant_is_normal_form (payload))
        g_error ("fuzz-events: an object event without a kind or a sound payload");
    json = payload_to_json (payload, kind_name);
    words = render_object_words (kind_name, json);
    assert_printable (words);
}

static GVirConnection *conn;
static virConnectPtr handle;
static virDomainPtr dom;
static GVirDomain *domain;
static GVirEventsHub *hub;
/* a handle per object family, by kind; NULL: no such object here (secrets) */
static gconstpointer object_handles[GVIR_OBJECT_EVENT_N_KINDS];

static const char domain_xml[] =
    "<domain type='test'><name>fuzz</name><memory>8192</memory>"
    "<os><type>hvm</type></os><devices>"
    "<disk type='file' device='disk'><source file='/images/data.img'/>"
    "<target dev='hdb' bus='ide'/><alias name='ua-data'/></disk>"
    "<graphics type='vnc' port='5901' autoport='no' listen='127.0.0.1'/>"
    "<graphics type='spice' port='5902' autoport='no' listen='127.0.0.1'/>"
    "</devices></domain>";

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
    g_autoptr(GError) error = NULL;
    GVirDomainEvents *events;

    /* GLib's criticals are findings too */
    g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING | G_LOG_FATAL_MASK);
    gvir_init_object (NULL, NULL);
    conn = gvir_connection_new ("test:///default");
    if (!gvir_connection_open (conn, NULL, &error))
        g_error ("fuzz-events: test:///default: %s", error->message);
    g_object_get (conn, "handle", &handle, NULL);
    dom = virDomainDefineXML (handle, domain_xml);
    if (!dom || virDomainCreate (dom) != 0)
        g_error ("fuzz-events: the test domain");
    domain = g_object_new (GVIR_TYPE_DOMAIN, "handle", dom, NULL);
    hub = _gvir_events_hub_acquire (handle);

    events = gvir_domain_events_get_for_domain (domain);
    for (GVirDomainEventKind kind = 0; kind < GVIR_EVENT_N_KINDS; kind++) {
        GClosure *closure = g_closure_new_simple (sizeof (GClosure), NULL);

        g_closure_set_marshal (closure, on_typed);
        g_signal_connect_closure (events, _gvir_event_kind_name (kind), closure, FALSE);
    }
    g_signal_connect (gvir_connection_events_get_for_connection (conn), "domain-event",
                      G_CALLBACK (on_domain_event), NULL);
    g_signal_connect (gvir_connection_events_get_for_connection (conn), "object-event",
                      G_CALLBACK (on_object_event), NULL);
    /* the test driver's own objects; it has no secrets */
    {
        gconstpointer network = virNetworkLookupByName (handle, "default");
        gconstpointer pool = virStoragePoolLookupByName (handle, "default-pool");
        gconstpointer device = virNodeDeviceLookupByName (handle, "computer");

        if (!network || !pool || !device)
            g_error ("fuzz-events: the test driver's network, pool and device");
        for (GVirObjectEventKind kind = 0; kind < GVIR_OBJECT_EVENT_N_KINDS; kind++) {
            const gchar *family = _gvir_object_event_spec_for_kind (kind)->family->name;

            object_handles[kind] = g_str_equal (family, "network") ? network :
                g_str_equal (family, "pool") ? pool :
                g_str_equal (family, "device") ? device : NULL;
        }
    }
    while (g_main_context_iteration (NULL, FALSE))
        ;
    return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
    Input in = { data, size, g_ptr_array_new_with_free_func (g_free) };
    GVirEventRaw raw[GVIR_EVENT_MAX_PARAMS] = { { 0 } };
    GVirDomainEventKind kind;
    const gchar *shape;
    guint row, r = 0;

    if (size == 0) {
        g_ptr_array_unref (in.owned);
        return 0;
    }
    row = take_byte (&in) % (GVIR_EVENT_N_KINDS + GVIR_OBJECT_EVENT_N_KINDS);
    if (row >= GVIR_EVENT_N_KINDS) {
        /* the sibling table: (event, detail) or nothing, ints only */
        GVirObjectEventKind object_kind = row - GVIR_EVENT_N_KINDS;

        raw[0].i = take_int (&in);
        raw[1].i = take_int (&in);
        if (object_handles[object_kind])
            _gvir_events_hub_dispatch_object (_gvir_events_hub_get_object_slot (hub, object_kind),
                                             object_handles[object_kind], raw);
        while (g_main_context_iteration (NULL, FALSE))
            ;
        g_ptr_array_unref (in.owned);
        return 0;
    }
    kind = row;
    shape = shapes[kind];
    for (const gchar *c = shape; *c && r < G_N_ELEMENTS (raw); c++, r++) {
        switch (*c) {
        case 'i': raw[r].i = take_int (&in); break;
        case 'u': raw[r].u = (guint) take_u64 (&in, 4); break;
        case 'l': raw[r].ll = (long long) take_u64 (&in, 8); break;
        case 'U': raw[r].ull = take_u64 (&in, 8); break;
        case 's': raw[r].s = take_string (&in); break;
        case 'A': raw[r].p = take_address (&in); break;
        case 'S': raw[r].p = take_subject (&in); break;
        case 'P': {
            int n;

            raw[r].p = take_params (&in, &n);
            raw[++r].i = n;
            break;
        }
        default:
            g_assert_not_reached ();
        }
    }

    if (_gvir_event_spec_for_kind (kind)->virt_id == GVIR_EVENT_POLLED)
        _gvir_events_hub_dispatch_polled (dom, kind, raw);
    else
        _gvir_events_hub_dispatch (_gvir_events_hub_get_slot (hub, _gvir_event_spec_for_kind (kind)->virt_id),
                                  dom, raw);
    while (g_main_context_iteration (NULL, FALSE))
        ;

    /* the text helpers on the input itself: any bytes, as a name could be */
    {
        g_autofree gchar *escaped = NULL;
        g_autofree gchar *repaired = NULL;
        g_autofree gchar *text = g_strndup ((const gchar *) data, size);

        escaped = gvir_events_text_escape (text);
        if (!g_utf8_validate (escaped, -1, NULL))
            g_error ("fuzz-events: an escaped text that is not UTF-8");
        assert_printable (escaped);
        repaired = gvir_events_utf8_repair (text);
        if (repaired && !g_utf8_validate (repaired, -1, NULL))
            g_error ("fuzz-events: a repair that is not UTF-8");
    }
    g_ptr_array_unref (in.owned);
    return 0;
}
