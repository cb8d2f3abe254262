/*
 * test-real-events.c: libvirt-gevents against a real libvirtd driving a real
 * QEMU (TCG), through the public API only.
 *
 * Run under tests/integration/hv-harness, which provides the daemon, the
 * failing NBD disks and the GVIR_EVENTS_* environment; the guests are the
 * boot sectors of guest.s.  Every test asserts the arguments of the signals
 * it provokes, not only that they fired.  Guests are defined first, given
 * their companion, then started, so events raised while they start are heard.
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gio/gio.h>
#include <libvirt/libvirt.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>
#include <libvirt-gconfig/libvirt-gconfig.h>
#include <libvirt-gobject/libvirt-gobject.h>
#include <libvirt-gevents/libvirt-gevents.h>

#include "test-utils.h"

/* guest.s, MODE_RTC: the guest sets its RTC to 2001-02-03 04:05:06 UTC */
#define GUEST_RTC_EPOCH G_GINT64_CONSTANT (981173106)
/* guest.s, MODE_DISKWRITE: one 512-byte sector written at LBA 16 */
#define GUEST_WRITE_END (16 * 512 + 512)
/* guest.s, MODE_BALLOON: 1024 pages of 4 KiB given back, out of 16 MiB */
#define GUEST_BALLOON_ACTUAL_KIB (16 * 1024 - 4 * 1024)

#define WAIT_MS 20000           /* for an event we caused */
#define QUIET_MS 1500           /* to check that no further event follows */

static GVirConnection *conn;
static const gchar *test_dir, *guest_dir, *domain_dir, *prefix;
static gboolean require_all;

/* ------------------------------------------------------------------------ */
/* running the main loop until something happens                             */

static gboolean
tick (gpointer data)
{
    return G_SOURCE_CONTINUE;
}

typedef gboolean (*Condition) (gpointer data);

/* Iterates the default main context until @cond holds or @ms elapse. */
static gboolean
iterate_until (Condition cond, gpointer data, guint ms)
{
    gint64 deadline = g_get_monotonic_time () + (gint64) ms * 1000;
    guint id = g_timeout_add (20, tick, NULL);
    gboolean ok;

    while (!(ok = cond (data)) && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
    g_source_remove (id);
    return ok;
}

static gboolean
never (gpointer data)
{
    return FALSE;
}

/* Lets events arrive for @ms. */
static void
observe (guint ms)
{
    iterate_until (never, NULL, ms);
}

/* ------------------------------------------------------------------------ */
/* guests and what their companions heard                                     */

typedef struct {
    gchar *signal;              /* signal name */
    GVariant *args;             /* its arguments, as a tuple (NULL: none) */
    GVirGraphicsClient *client; /* the graphics signals' argument */
} Record;

static void
record_free (gpointer data)
{
    Record *r = data;

    g_free (r->signal);
    g_clear_pointer (&r->args, g_variant_unref);
    g_clear_object (&r->client);
    g_free (r);
}

typedef struct {
    gchar *name;
    gchar *uuid;
    GVirDomain *dom;
    GVirDomainEvents *ev;
    GPtrArray *records;
    GHashTable *details;        /* "signal::detail" -> DetailWatch */
} Guest;

/* A handler connected to "signal::detail" that counts its calls: how the
 * tests check that detailed connections hear what they should, and only
 * that. */
typedef struct {
    GVirDomainEvents *ev;
    gulong id;
    guint count;
} DetailWatch;

static void
count_marshal (GClosure *closure, GValue *return_value, guint n_params,
               const GValue *params, gpointer hint, gpointer marshal_data)
{
    DetailWatch *w = closure->data;

    g_assert_true (g_value_get_object (&params[0]) == w->ev);
    w->count++;
}

static void
detail_watch_free (gpointer data)
{
    DetailWatch *w = data;

    g_signal_handler_disconnect (w->ev, w->id);
    g_free (w);
}

/* Connects counting handlers to the NULL-terminated detailed signals. */
static void
watch_details (Guest *g, const gchar *first, ...)
{
    va_list ap;

    va_start (ap, first);
    for (const gchar *name = first; name; name = va_arg (ap, const gchar *)) {
        DetailWatch *w = g_new0 (DetailWatch, 1);
        GClosure *closure = g_closure_new_simple (sizeof (GClosure), w);

        g_assert_nonnull (strstr (name, "::"));
        g_closure_set_marshal (closure, count_marshal);
        w->ev = g->ev;
        w->id = g_signal_connect_closure (g->ev, name, closure, FALSE);
        g_assert_cmpuint (w->id, >, 0);
        g_hash_table_insert (g->details, g_strdup (name), w);
    }
    va_end (ap);
}

static guint
detail_count (Guest *g, const gchar *name)
{
    DetailWatch *w = g_hash_table_lookup (g->details, name);

    g_assert_nonnull (w);
    return w->count;
}

static void
add_record (Guest *g, GVirDomainEvents *ev, const gchar *signal,
            GVariant *args, GVirGraphicsClient *client)
{
    Record *r = g_new0 (Record, 1);

    g_assert_true (ev == g->ev);
    r->signal = g_strdup (signal);
    r->args = args ? g_variant_ref_sink (args) : NULL;
    r->client = client ? g_object_ref (client) : NULL;
    g_ptr_array_add (g->records, r);
    if (g_test_verbose ()) {
        g_autofree gchar *s = args ? g_variant_print (args, FALSE) : NULL;
        g_test_message ("%s: %s %s", g->name, signal, s ? s : "");
    }
}

/* The handlers, one per signal, with each signal's exact C signature. */

static void
on_lifecycle (GVirDomainEvents *ev, GVirDomainLifecycleEvent event, gint detail, Guest *g)
{
    add_record (g, ev, "lifecycle", g_variant_new ("(ii)", event, detail), NULL);
}

static void
on_reboot (GVirDomainEvents *ev, Guest *g)
{
    add_record (g, ev, "reboot", NULL, NULL);
}

static void
on_rtc_change (GVirDomainEvents *ev, gint64 utc_offset, Guest *g)
{
    add_record (g, ev, "rtc-change", g_variant_new ("(x)", utc_offset), NULL);
}

static void
on_watchdog (GVirDomainEvents *ev, GVirDomainWatchdogAction action, Guest *g)
{
    add_record (g, ev, "watchdog", g_variant_new ("(i)", action), NULL);
}

static void
on_io_error (GVirDomainEvents *ev, const gchar *disk, const gchar *alias,
             const gchar *src_path, GVirDomainIOErrorAction action,
             const gchar *reason, Guest *g)
{
    add_record (g, ev, "io-error",
                g_variant_new ("(msmsmsims)", disk, alias, src_path, action, reason), NULL);
}

#define GRAPHICS_HANDLER(fn, name)                                          \
    static void                                                             \
    fn (GVirDomainEvents *ev, GVirGraphicsClient *client, Guest *g)         \
    {                                                                       \
        g_assert_true (GVIR_IS_GRAPHICS_CLIENT (client));                   \
        add_record (g, ev, name, NULL, client);                             \
    }
GRAPHICS_HANDLER (on_vnc_connected, "vnc-connected")
GRAPHICS_HANDLER (on_vnc_initialized, "vnc-initialized")
GRAPHICS_HANDLER (on_vnc_disconnected, "vnc-disconnected")
GRAPHICS_HANDLER (on_spice_connected, "spice-connected")
GRAPHICS_HANDLER (on_spice_initialized, "spice-initialized")
GRAPHICS_HANDLER (on_spice_disconnected, "spice-disconnected")

static void
on_control_error (GVirDomainEvents *ev, Guest *g)
{
    add_record (g, ev, "control-error", NULL, NULL);
}

static void
on_block_job (GVirDomainEvents *ev, const gchar *disk, GVirDomainBlockJobType type,
              GVirDomainBlockJobStatus status, Guest *g)
{
    add_record (g, ev, "block-job", g_variant_new ("(msii)", disk, type, status), NULL);
}

static void
on_disk_change (GVirDomainEvents *ev, const gchar *old_src, const gchar *new_src,
                const gchar *alias, GVirDomainDiskChangeReason reason, Guest *g)
{
    add_record (g, ev, "disk-change",
                g_variant_new ("(msmsmsi)", old_src, new_src, alias, reason), NULL);
}

static void
on_tray_change (GVirDomainEvents *ev, const gchar *alias,
                GVirDomainTrayChangeReason reason, Guest *g)
{
    add_record (g, ev, "tray-change", g_variant_new ("(msi)", alias, reason), NULL);
}

#define REASON_HANDLER(fn, name)                                            \
    static void                                                             \
    fn (GVirDomainEvents *ev, gint reason, Guest *g)                        \
    {                                                                       \
        add_record (g, ev, name, g_variant_new ("(i)", reason), NULL);      \
    }
REASON_HANDLER (on_pm_wakeup, "pm-wakeup")
REASON_HANDLER (on_pm_suspend, "pm-suspend")
REASON_HANDLER (on_pm_suspend_disk, "pm-suspend-disk")

static void
on_balloon_change (GVirDomainEvents *ev, guint64 actual_kib, Guest *g)
{
    add_record (g, ev, "balloon-change", g_variant_new ("(t)", actual_kib), NULL);
}

#define ALIAS_HANDLER(fn, name)                                             \
    static void                                                             \
    fn (GVirDomainEvents *ev, const gchar *alias, Guest *g)                 \
    {                                                                       \
        add_record (g, ev, name, g_variant_new ("(ms)", alias), NULL);      \
    }
ALIAS_HANDLER (on_device_added, "device-added")
ALIAS_HANDLER (on_device_removed, "device-removed")
ALIAS_HANDLER (on_device_removal_failed, "device-removal-failed")

static void
on_tunable (GVirDomainEvents *ev, GVariant *params, Guest *g)
{
    g_assert_nonnull (params);
    g_assert_true (g_variant_is_of_type (params, G_VARIANT_TYPE_VARDICT));
    add_record (g, ev, "tunable", g_variant_new ("(@a{sv})", params), NULL);
}

static void
on_agent_lifecycle (GVirDomainEvents *ev, GVirDomainAgentState state,
                    GVirDomainAgentReason reason, Guest *g)
{
    add_record (g, ev, "agent-lifecycle", g_variant_new ("(ii)", state, reason), NULL);
}

static void
on_migration_iteration (GVirDomainEvents *ev, gint iteration, Guest *g)
{
    add_record (g, ev, "migration-iteration", g_variant_new ("(i)", iteration), NULL);
}

static void
on_job_completed (GVirDomainEvents *ev, GVariant *stats, Guest *g)
{
    g_assert_nonnull (stats);
    g_assert_true (g_variant_is_of_type (stats, G_VARIANT_TYPE_VARDICT));
    add_record (g, ev, "job-completed", g_variant_new ("(@a{sv})", stats), NULL);
}

static void
on_metadata_change (GVirDomainEvents *ev, GVirDomainMetadataType type,
                    const gchar *nsuri, Guest *g)
{
    add_record (g, ev, "metadata-change", g_variant_new ("(ims)", type, nsuri), NULL);
}

static void
on_watermark (GVirDomainEvents *ev, const gchar *disk, const gchar *path,
              guint64 threshold, guint64 excess, Guest *g)
{
    add_record (g, ev, "watermark",
                g_variant_new ("(msmstt)", disk, path, threshold, excess), NULL);
}

static void
on_memory_failure (GVirDomainEvents *ev, GVirDomainMemoryFailureRecipient recipient,
                   GVirDomainMemoryFailureAction action, guint flags, Guest *g)
{
    add_record (g, ev, "memory-failure",
                g_variant_new ("(iiu)", recipient, action, flags), NULL);
}

static void
on_memory_device_size_change (GVirDomainEvents *ev, const gchar *alias,
                              guint64 size_kib, Guest *g)
{
    add_record (g, ev, "memory-device-size-change",
                g_variant_new ("(mst)", alias, size_kib), NULL);
}

static const struct {
    const gchar *signal;
    GCallback handler;
} handlers[] = {
    { "lifecycle", G_CALLBACK (on_lifecycle) },
    { "reboot", G_CALLBACK (on_reboot) },
    { "rtc-change", G_CALLBACK (on_rtc_change) },
    { "watchdog", G_CALLBACK (on_watchdog) },
    { "io-error", G_CALLBACK (on_io_error) },
    { "vnc-connected", G_CALLBACK (on_vnc_connected) },
    { "vnc-initialized", G_CALLBACK (on_vnc_initialized) },
    { "vnc-disconnected", G_CALLBACK (on_vnc_disconnected) },
    { "spice-connected", G_CALLBACK (on_spice_connected) },
    { "spice-initialized", G_CALLBACK (on_spice_initialized) },
    { "spice-disconnected", G_CALLBACK (on_spice_disconnected) },
    { "control-error", G_CALLBACK (on_control_error) },
    { "block-job", G_CALLBACK (on_block_job) },
    { "disk-change", G_CALLBACK (on_disk_change) },
    { "tray-change", G_CALLBACK (on_tray_change) },
    { "pm-wakeup", G_CALLBACK (on_pm_wakeup) },
    { "pm-suspend", G_CALLBACK (on_pm_suspend) },
    { "pm-suspend-disk", G_CALLBACK (on_pm_suspend_disk) },
    { "balloon-change", G_CALLBACK (on_balloon_change) },
    { "device-added", G_CALLBACK (on_device_added) },
    { "device-removed", G_CALLBACK (on_device_removed) },
    { "device-removal-failed", G_CALLBACK (on_device_removal_failed) },
    { "tunable", G_CALLBACK (on_tunable) },
    { "agent-lifecycle", G_CALLBACK (on_agent_lifecycle) },
    { "migration-iteration", G_CALLBACK (on_migration_iteration) },
    { "job-completed", G_CALLBACK (on_job_completed) },
    { "metadata-change", G_CALLBACK (on_metadata_change) },
    { "watermark", G_CALLBACK (on_watermark) },
    { "memory-failure", G_CALLBACK (on_memory_failure) },
    { "memory-device-size-change", G_CALLBACK (on_memory_device_size_change) },
};

static gchar *
scratch_path (const gchar *guest, const gchar *what)
{
    return g_strdup_printf ("%s/%s-%s", test_dir, guest, what);
}

/* Defines a guest running boot-sector scenario @mode with extra @devices
 * (and @extra domain elements), and connects every signal of its companion.
 * It is not started. */
static Guest *
guest_new (const gchar *suffix, const gchar *mode, const gchar *devices, const gchar *extra)
{
    g_autoptr(GError) error = NULL;
    g_autofree gchar *image = NULL, *boot = NULL, *xml = NULL;
    GVirConfigDomain *conf;
    gchar *contents = NULL;
    gsize len = 0;
    Guest *g = g_new0 (Guest, 1);

    g->name = g_strconcat (prefix, suffix, NULL);
    g->uuid = g_uuid_string_random ();
    g->records = g_ptr_array_new_with_free_func (record_free);
    g->details = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, detail_watch_free);

    /* the 512-byte guest, as the first sector of a 1 MiB disk of its own */
    image = g_strdup_printf ("%s/guest-%s.img", guest_dir, mode);
    g_file_get_contents (image, &contents, &len, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (len, ==, 512);
    g_assert_cmphex ((guchar) contents[510], ==, 0x55);
    g_assert_cmphex ((guchar) contents[511], ==, 0xaa);
    boot = scratch_path (g->name, "boot.img");
    g_file_set_contents (boot, contents, len, &error);
    g_free (contents);
    g_assert_no_error (error);
    g_assert_cmpint (truncate (boot, 1 << 20), ==, 0);

    xml = test_domain_template (domain_dir, "guest", "NAME", g->name, "UUID", g->uuid, "BOOT_IMAGE", boot,
                    "DEVICES", devices ? devices : "", "EXTRA", extra ? extra : "",
                    NULL);
    conf = gvir_config_domain_new_from_xml (xml, &error);
    g_assert_no_error (error);
    g->dom = gvir_connection_create_domain (conn, conf, &error);
    g_object_unref (conf);
    g_assert_no_error (error);
    g_assert_nonnull (g->dom);

    g->ev = gvir_domain_events_get_for_domain (g->dom);
    g_assert_true (GVIR_IS_DOMAIN_EVENTS (g->ev));
    g_assert_true (gvir_domain_events_get_for_domain (g->dom) == g->ev);
    g_assert_true (gvir_domain_events_get_domain (g->ev) == g->dom);
    for (guint i = 0; i < G_N_ELEMENTS (handlers); i++)
        g_signal_connect (g->ev, handlers[i].signal, handlers[i].handler, g);
    return g;
}

static virDomainPtr
guest_handle (Guest *g)
{
    virDomainPtr handle = NULL;

    g_object_get (g->dom, "handle", &handle, NULL);
    g_assert_nonnull (handle);
    return handle;
}

static guint
count (Guest *g, const gchar *signal)
{
    guint n = 0;

    for (guint i = 0; i < g->records->len; i++)
        n += g_str_equal (((Record *) g->records->pdata[i])->signal, signal);
    return n;
}

/* The @n-th (from 0) emission of @signal, which must exist. */
static Record *
nth (Guest *g, const gchar *signal, guint n)
{
    for (guint i = 0; i < g->records->len; i++) {
        Record *r = g->records->pdata[i];

        if (g_str_equal (r->signal, signal) && n-- == 0)
            return r;
    }
    g_error ("%s: no emission %u of %s", g->name, n, signal);
    return NULL;
}

static guint
count_lifecycle (Guest *g, GVirDomainLifecycleEvent event, gint detail)
{
    guint n = 0;

    for (guint i = 0; i < g->records->len; i++) {
        Record *r = g->records->pdata[i];
        gint e, d;

        if (!g_str_equal (r->signal, "lifecycle"))
            continue;
        g_variant_get (r->args, "(ii)", &e, &d);
        n += e == (gint) event && d == detail;
    }
    return n;
}

typedef struct {
    Guest *g;
    const gchar *signal;
    guint n;
    GVirDomainLifecycleEvent event;
    gint detail;
} Wait;

static gboolean
has_n (gpointer data)
{
    Wait *w = data;

    return count (w->g, w->signal) >= w->n;
}

static gboolean
has_lifecycle (gpointer data)
{
    Wait *w = data;

    return count_lifecycle (w->g, w->event, w->detail) >= w->n;
}

/* Waits until @g heard @n emissions of @signal in all. */
static void
wait_for (Guest *g, const gchar *signal, guint n)
{
    Wait w = { g, signal, n, 0, 0 };

    if (!iterate_until (has_n, &w, WAIT_MS))
        g_error ("%s: %u emission(s) of %s after %d ms, expected %u",
                 g->name, count (g, signal), signal, WAIT_MS, n);
}

/* Waits until @g heard lifecycle (@event, @detail) @n times in all. */
static void
wait_for_lifecycle (Guest *g, GVirDomainLifecycleEvent event, gint detail, guint n)
{
    Wait w = { g, NULL, n, event, detail };

    if (!iterate_until (has_lifecycle, &w, WAIT_MS))
        g_error ("%s: lifecycle (%d, %d) heard %u time(s) after %d ms, expected %u",
                 g->name, event, detail, count_lifecycle (g, event, detail), WAIT_MS, n);
}

static void
guest_start (Guest *g)
{
    g_autoptr(GError) error = NULL;

    gvir_domain_start (g->dom, 0, &error);
    g_assert_no_error (error);
    wait_for_lifecycle (g, GVIR_DOMAIN_LIFECYCLE_EVENT_STARTED,
                        VIR_DOMAIN_EVENT_STARTED_BOOTED, 1);
}

static void
guest_free (Guest *g)
{
    virDomainPtr handle;

    if (!g)
        return;
    g_signal_handlers_disconnect_by_data (g->ev, g);
    g_hash_table_unref (g->details);
    handle = guest_handle (g);
    if (virDomainIsActive (handle) == 1)
        g_assert_cmpint (virDomainDestroy (handle), ==, 0);
    g_assert_cmpint (virDomainUndefineFlags (handle, VIR_DOMAIN_UNDEFINE_MANAGED_SAVE), ==, 0);
    virDomainFree (handle);
    g_object_unref (g->dom);
    g_ptr_array_unref (g->records);
    g_free (g->uuid);
    g_free (g->name);
    g_free (g);
}

static void
assert_no_error_signals (Guest *g)
{
    g_assert_cmpuint (count (g, "control-error"), ==, 0);
    g_assert_cmpuint (count (g, "io-error"), ==, 0);
}

static void
skip_or_fail (const gchar *why)
{
    if (require_all)
        g_error ("GVIR_EVENTS_REQUIRE_HYPERVISOR=1 and %s", why);
    g_test_skip (why);
}

/* An oracle: libvirt's own callbacks for one domain and event ID, counted
 * on the same connection, where how many there are depends on the stack:
 * the resets QEMU reports (the firmware's own included), the threshold
 * crossings (libvirt calls back for "vda" and again for "vda[1]"). */
typedef struct {
    virConnectPtr vconn;
    int id;
    guint n;            /* reboots; crossings reported under the disk's name */
    guint n_indexed;    /* crossings reported under an image's "disk[index]" */
} Raw;

static void
raw_reboot_cb (virConnectPtr c, virDomainPtr d, void *opaque)
{
    ((Raw *) opaque)->n++;
}

static void
raw_threshold_cb (virConnectPtr c, virDomainPtr d, const char *dev, const char *path,
                  unsigned long long threshold, unsigned long long excess, void *opaque)
{
    Raw *raw = opaque;

    if (strchr (dev, '['))
        raw->n_indexed++;
    else
        raw->n++;
}

static void
raw_start (Raw *raw, Guest *g, int event_id)
{
    virDomainPtr handle = guest_handle (g);
    virConnectDomainEventGenericCallback cb =
        event_id == VIR_DOMAIN_EVENT_ID_REBOOT ? VIR_DOMAIN_EVENT_CALLBACK (raw_reboot_cb)
                                               : VIR_DOMAIN_EVENT_CALLBACK (raw_threshold_cb);

    g_assert_true (event_id == VIR_DOMAIN_EVENT_ID_REBOOT ||
                   event_id == VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD);
    g_object_get (conn, "handle", &raw->vconn, NULL);
    raw->n = raw->n_indexed = 0;
    raw->id = virConnectDomainEventRegisterAny (raw->vconn, handle, event_id, cb, raw, NULL);
    g_assert_cmpint (raw->id, >=, 0);
    virDomainFree (handle);
}

static guint raw_wanted;

static gboolean
raw_has_n (gpointer data)
{
    return ((Raw *) data)->n >= raw_wanted;
}

static void
raw_stop (Raw *raw)
{
    g_assert_cmpint (virConnectDomainEventDeregisterAny (raw->vconn, raw->id), ==, 0);
    virConnectClose (raw->vconn);
}

static gchar *
hmp (Guest *g, const gchar *command)
{
    virDomainPtr handle = guest_handle (g);
    gchar *reply = NULL;
    int ret = virDomainQemuMonitorCommand (handle, command, &reply,
                                           VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP);

    virDomainFree (handle);
    g_assert_cmpint (ret, ==, 0);
    return reply;
}

/* ------------------------------------------------------------------------ */
/* the "basic" guest: one idle guest with VNC, SPICE, a guest-agent channel, a
 * CD-ROM and an optional CD-ROM whose image is missing.  Started once, by
 * whichever of its tests runs first; its last test stops it. */

static Guest *basic;
static gchar *basic_missing_iso, *basic_iso, *basic_iso2;

static Guest *
basic_guest (void)
{
    g_autofree gchar *devices = NULL, *cdrom = NULL, *vnc = NULL;

    if (basic)
        return basic;
    basic_iso = scratch_path ("basic", "a.iso");
    basic_iso2 = scratch_path ("basic", "b.iso");
    basic_missing_iso = scratch_path ("basic", "missing.iso");
    g_assert_true (g_file_set_contents (basic_iso, "", 0, NULL));
    g_assert_true (g_file_set_contents (basic_iso2, "", 0, NULL));
    g_assert_cmpint (truncate (basic_iso, 1 << 20), ==, 0);
    g_assert_cmpint (truncate (basic_iso2, 1 << 20), ==, 0);

    cdrom = test_domain_template (domain_dir, "cdrom", "PATH", basic_iso, "TARGET", "hdc", NULL);
    vnc = test_domain_template (domain_dir, "vnc", NULL);
    devices = g_strdup_printf (
        "%s"
        "    <disk type='file' device='cdrom'>\n"
        "      <driver name='qemu' type='raw'/>\n"
        "      <source file='%s' startupPolicy='optional'/>\n"
        "      <target dev='hdd' bus='ide'/>\n"
        "      <readonly/>\n"
        "      <alias name='ua-gone'/>\n"
        "    </disk>\n"
        "    <channel type='unix'>\n"
        "      <target type='virtio' name='org.qemu.guest_agent.0'/>\n"
        "    </channel>\n"
        "%s"
        "    <graphics type='spice' port='-1' autoport='yes' listen='127.0.0.1'/>\n",
        cdrom, basic_missing_iso, vnc);
    basic = guest_new ("basic", "idle", devices, NULL);
    watch_details (basic, "lifecycle::started", "lifecycle::resumed", "lifecycle::suspended",
                   "lifecycle::stopped", "device-added::ua-tablet", "device-added::ua-other",
                   "device-removed::ua-tablet", NULL);
    guest_start (basic);
    return basic;
}

static void
test_basic_start (void)
{
    Guest *g = basic_guest ();
    Record *r;
    gint event, detail, state, reason;
    const gchar *old_src, *new_src, *alias;

    /* QEMU is started paused, then continued: resumed, then started */
    wait_for_lifecycle (g, GVIR_DOMAIN_LIFECYCLE_EVENT_RESUMED,
                        VIR_DOMAIN_EVENT_RESUMED_UNPAUSED, 1);
    for (guint i = 0; i < count (g, "lifecycle"); i++) {
        r = nth (g, "lifecycle", i);
        g_variant_get (r->args, "(ii)", &event, &detail);
        if (event == GVIR_DOMAIN_LIFECYCLE_EVENT_STARTED)
            g_assert_cmpint (detail, ==, VIR_DOMAIN_EVENT_STARTED_BOOTED);
    }
    g_assert_cmpuint (count_lifecycle (g, GVIR_DOMAIN_LIFECYCLE_EVENT_STARTED,
                                       VIR_DOMAIN_EVENT_STARTED_BOOTED), ==, 1);
    /* lifecycle is detailed by the event's nick */
    g_assert_cmpuint (detail_count (g, "lifecycle::started"), ==, 1);
    g_assert_cmpuint (detail_count (g, "lifecycle::resumed"), ==, 1);
    g_assert_cmpuint (detail_count (g, "lifecycle::suspended"), ==, 0);
    g_assert_cmpuint (detail_count (g, "lifecycle::stopped"), ==, 0);

    /* the agent channel exists but no agent answers on it */
    wait_for (g, "agent-lifecycle", 1);
    g_variant_get (nth (g, "agent-lifecycle", 0)->args, "(ii)", &state, &reason);
    g_assert_cmpint (state, ==, GVIR_DOMAIN_AGENT_STATE_DISCONNECTED);
    g_assert_cmpint (reason, ==, GVIR_DOMAIN_AGENT_REASON_DOMAIN_STARTED);

    /* the optional CD-ROM's missing image was dropped at start */
    wait_for (g, "disk-change", 1);
    g_assert_cmpuint (count (g, "disk-change"), ==, 1);
    g_variant_get (nth (g, "disk-change", 0)->args, "(m&sm&sm&si)",
                   &old_src, &new_src, &alias, &reason);
    g_assert_cmpstr (old_src, ==, basic_missing_iso);
    g_assert_null (new_src);
    g_assert_cmpstr (alias, ==, "ua-gone");
    g_assert_cmpint (reason, ==, GVIR_DOMAIN_DISK_CHANGE_REASON_MISSING_ON_START);
    assert_no_error_signals (g);
}

static void
test_basic_suspend_resume (void)
{
    Guest *g = basic_guest ();
    g_autoptr(GError) error = NULL;
    guint resumed = count_lifecycle (g, GVIR_DOMAIN_LIFECYCLE_EVENT_RESUMED,
                                     VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
    guint resumed_detail = detail_count (g, "lifecycle::resumed");

    gvir_domain_suspend (g->dom, &error);
    g_assert_no_error (error);
    wait_for_lifecycle (g, GVIR_DOMAIN_LIFECYCLE_EVENT_SUSPENDED,
                        VIR_DOMAIN_EVENT_SUSPENDED_PAUSED, 1);
    g_assert_cmpuint (detail_count (g, "lifecycle::suspended"), ==, 1);

    gvir_domain_resume (g->dom, &error);
    g_assert_no_error (error);
    wait_for_lifecycle (g, GVIR_DOMAIN_LIFECYCLE_EVENT_RESUMED,
                        VIR_DOMAIN_EVENT_RESUMED_UNPAUSED, resumed + 1);
    g_assert_cmpuint (detail_count (g, "lifecycle::resumed"), ==, resumed_detail + 1);
    g_assert_cmpuint (detail_count (g, "lifecycle::suspended"), ==, 1);
}

static void
test_basic_metadata (void)
{
    Guest *g = basic_guest ();
    virDomainPtr handle = guest_handle (g);
    const gchar *uri = "https://example.org/libvirt-gevents/test";
    const gchar *nsuri;
    gint type;

    g_assert_cmpint (virDomainSetMetadata (handle, VIR_DOMAIN_METADATA_ELEMENT,
                                           "<probe n='1'/>", "gev", uri,
                                           VIR_DOMAIN_AFFECT_LIVE), ==, 0);
    wait_for (g, "metadata-change", 1);
    g_variant_get (nth (g, "metadata-change", 0)->args, "(im&s)", &type, &nsuri);
    g_assert_cmpint (type, ==, GVIR_DOMAIN_METADATA_TYPE_ELEMENT);
    g_assert_cmpstr (nsuri, ==, uri);

    g_assert_cmpint (virDomainSetMetadata (handle, VIR_DOMAIN_METADATA_TITLE,
                                           "a title", NULL, NULL,
                                           VIR_DOMAIN_AFFECT_LIVE), ==, 0);
    wait_for (g, "metadata-change", 2);
    g_variant_get (nth (g, "metadata-change", 1)->args, "(im&s)", &type, &nsuri);
    g_assert_cmpint (type, ==, GVIR_DOMAIN_METADATA_TYPE_TITLE);
    g_assert_null (nsuri);
    virDomainFree (handle);
}

static void
test_basic_tunable (void)
{
    Guest *g = basic_guest ();
    virDomainPtr handle = guest_handle (g);
    unsigned char cpumap = 0x1;     /* host CPU 0 only */
    g_autoptr(GVariant) params = NULL;
    const gchar *pin;

    g_assert_cmpint (virDomainPinVcpu (handle, 0, &cpumap, 1), ==, 0);
    wait_for (g, "tunable", 1);
    g_assert_cmpuint (count (g, "tunable"), ==, 1);
    g_variant_get (nth (g, "tunable", 0)->args, "(@a{sv})", &params);
    /* VIR_DOMAIN_TUNABLE_CPU_VCPUPIN, "cputune.vcpupin%u", for vCPU 0 */
    if (!g_variant_lookup (params, "cputune.vcpupin0", "&s", &pin))
        g_error ("no string cputune.vcpupin0 in %s", g_variant_print (params, TRUE));
    g_assert_cmpstr (pin, ==, "0");
    virDomainFree (handle);
}

/* The port of the guest's @type graphics, from its live XML. */
static guint16
graphics_port (Guest *g, const gchar *type)
{
    virDomainPtr handle = guest_handle (g);
    g_autofree gchar *xml = virDomainGetXMLDesc (handle, 0);
    g_autofree gchar *pattern = g_strdup_printf ("<graphics type='%s' port='(\\d+)'", type);
    g_autoptr(GRegex) re = g_regex_new (pattern, 0, 0, NULL);
    g_autoptr(GMatchInfo) match = NULL;
    g_autofree gchar *port = NULL;

    virDomainFree (handle);
    g_assert_true (g_regex_match (re, xml, 0, &match));
    port = g_match_info_fetch (match, 1);
    return (guint16) g_ascii_strtoull (port, NULL, 10);
}

static GSocket *
connect_local (guint16 port, gchar **local_node, gchar **local_service)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GInetAddress) lo = g_inet_address_new_from_string ("127.0.0.1");
    g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (lo, port);
    g_autoptr(GSocketAddress) local = NULL;
    GSocket *sock;

    sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, &error);
    g_assert_no_error (error);
    g_socket_set_timeout (sock, 20);
    g_socket_connect (sock, addr, NULL, &error);
    g_assert_no_error (error);
    local = g_socket_get_local_address (sock, &error);
    g_assert_no_error (error);
    *local_node = g_inet_address_to_string (
        g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local)));
    *local_service = g_strdup_printf ("%u",
        g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)));
    return sock;
}

static void
send_all (GSocket *sock, const void *buf, gsize len)
{
    g_autoptr(GError) error = NULL;
    gsize done = 0;

    while (done < len) {
        gssize n = g_socket_send (sock, (const gchar *) buf + done, len - done, NULL, &error);

        g_assert_no_error (error);
        done += n;
    }
}

static void
recv_all (GSocket *sock, void *buf, gsize len)
{
    g_autoptr(GError) error = NULL;
    gsize done = 0;

    while (done < len) {
        gssize n = g_socket_receive (sock, (gchar *) buf + done, len - done, NULL, &error);

        g_assert_no_error (error);
        g_assert_cmpint (n, >, 0);
        done += n;
    }
}

/* Asserts a graphics client seen from the server: the remote end is our
 * socket, the local end the guest's graphics port. */
static void
assert_client (Record *r, GVirGraphicsProtocol protocol, GVirGraphicsPhase phase,
               guint16 port, const gchar *node, const gchar *service)
{
    GVirGraphicsClient *c = r->client;
    g_autofree gchar *port_s = g_strdup_printf ("%u", port);

    g_assert_nonnull (c);
    g_assert_cmpint (gvir_graphics_client_get_protocol (c), ==, protocol);
    g_assert_cmpint (gvir_graphics_client_get_phase (c), ==, phase);
    g_assert_cmpint (gvir_graphics_client_get_remote_family (c), ==,
                     GVIR_GRAPHICS_ADDRESS_FAMILY_IPV4);
    g_assert_cmpstr (gvir_graphics_client_get_remote_node (c), ==, node);
    g_assert_cmpstr (gvir_graphics_client_get_remote_service (c), ==, service);
    g_assert_cmpint (gvir_graphics_client_get_local_family (c), ==,
                     GVIR_GRAPHICS_ADDRESS_FAMILY_IPV4);
    g_assert_cmpstr (gvir_graphics_client_get_local_node (c), ==, "127.0.0.1");
    g_assert_cmpstr (gvir_graphics_client_get_local_service (c), ==, port_s);
    g_assert_null (gvir_graphics_client_get_x509_dname (c));
    g_assert_null (gvir_graphics_client_get_sasl_username (c));
}

static void
test_basic_vnc (void)
{
    Guest *g = basic_guest ();
    guint16 port = graphics_port (g, "vnc");
    g_autofree gchar *node = NULL, *service = NULL;
    g_autoptr(GSocket) sock = NULL;
    g_autoptr(GError) error = NULL;
    gchar version[12];
    guint8 n_types, types[255], none = 1, shared = 1, result[4], init[24];
    gboolean has_none = FALSE;
    guint32 name_len;
    g_autofree gchar *name = NULL;

    g_assert_cmpuint (count (g, "vnc-connected"), ==, 0);
    sock = connect_local (port, &node, &service);

    /* RFB 3.8, security type None */
    recv_all (sock, version, sizeof version);
    g_assert_cmpmem (version, 4, "RFB ", 4);
    send_all (sock, "RFB 003.008\n", 12);
    recv_all (sock, &n_types, 1);
    g_assert_cmpuint (n_types, >, 0);
    recv_all (sock, types, n_types);
    for (guint i = 0; i < n_types; i++)
        has_none |= types[i] == 1;
    g_assert_true (has_none);
    send_all (sock, &none, 1);
    recv_all (sock, result, 4);
    g_assert_cmpmem (result, 4, "\0\0\0\0", 4);
    send_all (sock, &shared, 1);                /* ClientInit */
    recv_all (sock, init, sizeof init);         /* ServerInit */
    name_len = GUINT32_FROM_BE (*(guint32 *) (init + 20));
    g_assert_cmpuint (name_len, <, 4096);
    name = g_malloc (name_len + 1);
    recv_all (sock, name, name_len);

    wait_for (g, "vnc-initialized", 1);
    g_assert_cmpuint (count (g, "vnc-connected"), ==, 1);
    assert_client (nth (g, "vnc-connected", 0), GVIR_GRAPHICS_PROTOCOL_VNC,
                   GVIR_GRAPHICS_PHASE_CONNECT, port, node, service);
    assert_client (nth (g, "vnc-initialized", 0), GVIR_GRAPHICS_PROTOCOL_VNC,
                   GVIR_GRAPHICS_PHASE_INITIALIZE, port, node, service);
    g_assert_cmpstr (gvir_graphics_client_get_auth_scheme (nth (g, "vnc-initialized", 0)->client),
                     ==, "none");
    g_assert_cmpuint (count (g, "vnc-disconnected"), ==, 0);

    g_socket_close (sock, &error);
    g_assert_no_error (error);
    wait_for (g, "vnc-disconnected", 1);
    assert_client (nth (g, "vnc-disconnected", 0), GVIR_GRAPHICS_PROTOCOL_VNC,
                   GVIR_GRAPHICS_PHASE_DISCONNECT, port, node, service);
    observe (300);
    g_assert_cmpuint (count (g, "vnc-connected"), ==, 1);
    g_assert_cmpuint (count (g, "vnc-initialized"), ==, 1);
    g_assert_cmpuint (count (g, "vnc-disconnected"), ==, 1);
    g_assert_cmpuint (count (g, "spice-connected"), ==, 0);
}

/* RSA-OAEP encryption of the empty SPICE ticket with the server's public
 * key (DER SubjectPublicKeyInfo), by the openssl command. */
static GBytes *
spice_ticket (const guint8 *der, gsize len)
{
    g_autofree gchar *key = scratch_path ("spice", "key.der");
    g_autoptr(GError) error = NULL;
    g_autoptr(GSubprocess) p = NULL;
    g_autoptr(GBytes) in = g_bytes_new_static ("", 1);
    g_autoptr(GBytes) err = NULL;
    GBytes *out = NULL;

    g_file_set_contents (key, (const gchar *) der, len, &error);
    g_assert_no_error (error);
    p = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                          | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                          "openssl", "pkeyutl", "-encrypt", "-pubin", "-keyform", "DER",
                          "-inkey", key, "-pkeyopt", "rsa_padding_mode:oaep", NULL);
    g_assert_no_error (error);
    g_subprocess_communicate (p, in, NULL, &out, &err, &error);
    g_assert_no_error (error);
    if (!g_subprocess_get_successful (p))
        g_error ("openssl pkeyutl failed: %.*s", (int) g_bytes_get_size (err),
                 (const gchar *) g_bytes_get_data (err, NULL));
    return out;
}

static void
test_basic_spice (void)
{
    Guest *g = basic_guest ();
    g_autofree gchar *openssl = g_find_program_in_path ("openssl");
    guint16 port;
    g_autofree gchar *node = NULL, *service = NULL;
    g_autoptr(GSocket) sock = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) ticket = NULL;
    g_autofree guint8 *reply = NULL;
    guint8 link[16 + 18];
    guint32 header[4], result;

    if (!openssl) {
        skip_or_fail ("the openssl command (Debian package openssl) is missing: "
                      "it encrypts the SPICE ticket");
        return;
    }
    port = graphics_port (g, "spice");
    sock = connect_local (port, &node, &service);

    /* SpiceLinkHeader, then SpiceLinkMess: main channel 0, no capabilities */
    memset (link, 0, sizeof link);
    memcpy (link, "REDQ", 4);
    *(guint32 *) (link + 4) = GUINT32_TO_LE (2);       /* major */
    *(guint32 *) (link + 8) = GUINT32_TO_LE (2);       /* minor */
    *(guint32 *) (link + 12) = GUINT32_TO_LE (18);     /* size of the message */
    link[16 + 4] = 1;                                  /* SPICE_CHANNEL_MAIN */
    *(guint32 *) (link + 16 + 14) = GUINT32_TO_LE (18);  /* caps offset */
    send_all (sock, link, sizeof link);

    recv_all (sock, header, sizeof header);
    g_assert_cmpmem (header, 4, "REDQ", 4);
    g_assert_cmpuint (GUINT32_FROM_LE (header[3]), >=, 4 + 162);
    reply = g_malloc (GUINT32_FROM_LE (header[3]));
    recv_all (sock, reply, GUINT32_FROM_LE (header[3]));
    g_assert_cmpuint (GUINT32_FROM_LE (*(guint32 *) reply), ==, 0);   /* SPICE_LINK_ERR_OK */
    ticket = spice_ticket (reply + 4, 162);
    g_assert_cmpuint (g_bytes_get_size (ticket), ==, 128);
    send_all (sock, g_bytes_get_data (ticket, NULL), 128);
    recv_all (sock, &result, 4);
    g_assert_cmpuint (GUINT32_FROM_LE (result), ==, 0);

    wait_for (g, "spice-initialized", 1);
    g_assert_cmpuint (count (g, "spice-connected"), ==, 1);
    assert_client (nth (g, "spice-connected", 0), GVIR_GRAPHICS_PROTOCOL_SPICE,
                   GVIR_GRAPHICS_PHASE_CONNECT, port, node, service);
    assert_client (nth (g, "spice-initialized", 0), GVIR_GRAPHICS_PROTOCOL_SPICE,
                   GVIR_GRAPHICS_PHASE_INITIALIZE, port, node, service);
    g_assert_cmpstr (gvir_graphics_client_get_auth_scheme (nth (g, "spice-initialized", 0)->client),
                     ==, "none");

    g_socket_close (sock, &error);
    g_assert_no_error (error);
    wait_for (g, "spice-disconnected", 1);
    assert_client (nth (g, "spice-disconnected", 0), GVIR_GRAPHICS_PROTOCOL_SPICE,
                   GVIR_GRAPHICS_PHASE_DISCONNECT, port, node, service);
    observe (300);
    g_assert_cmpuint (count (g, "spice-connected"), ==, 1);
    g_assert_cmpuint (count (g, "spice-initialized"), ==, 1);
    g_assert_cmpuint (count (g, "spice-disconnected"), ==, 1);
}

static void
test_basic_reset (void)
{
    Guest *g = basic_guest ();
    virDomainPtr handle = guest_handle (g);
    guint before = count (g, "reboot");
    Raw raw;

    raw_start (&raw, g, VIR_DOMAIN_EVENT_ID_REBOOT);
    g_assert_cmpint (virDomainReset (handle, 0), ==, 0);
    virDomainFree (handle);
    wait_for (g, "reboot", before + 1);
    g_assert_null (nth (g, "reboot", before)->args);
    /* QEMU reports the reset, then SeaBIOS's own: one emission per report */
    observe (QUIET_MS);
    raw_stop (&raw);
    g_assert_cmpuint (raw.n, >=, 1);
    g_assert_cmpuint (count (g, "reboot") - before, ==, raw.n);
    /* reset, not a stop and a start */
    g_assert_cmpuint (count_lifecycle (g, GVIR_DOMAIN_LIFECYCLE_EVENT_STARTED,
                                       VIR_DOMAIN_EVENT_STARTED_BOOTED), ==, 1);
}

static void
test_basic_cdrom (void)
{
    Guest *g = basic_guest ();
    virDomainPtr handle = guest_handle (g);
    g_autofree gchar *eject = g_strdup (
        "<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>");
    g_autofree gchar *insert = g_strdup_printf (
        "<disk type='file' device='cdrom'><source file='%s'/>"
        "<target dev='hdc' bus='ide'/><readonly/></disk>", basic_iso2);
    const gchar *alias;
    gint reason;

    /* eject: libvirt opens the tray, removes the medium, closes the tray */
    g_assert_cmpint (virDomainUpdateDeviceFlags (handle, eject, VIR_DOMAIN_AFFECT_LIVE), ==, 0);
    wait_for (g, "tray-change", 2);
    g_variant_get (nth (g, "tray-change", 0)->args, "(m&si)", &alias, &reason);
    g_assert_cmpstr (alias, ==, "ide0-1-0");
    g_assert_cmpint (reason, ==, GVIR_DOMAIN_TRAY_CHANGE_REASON_OPEN);
    g_variant_get (nth (g, "tray-change", 1)->args, "(m&si)", &alias, &reason);
    g_assert_cmpstr (alias, ==, "ide0-1-0");
    g_assert_cmpint (reason, ==, GVIR_DOMAIN_TRAY_CHANGE_REASON_CLOSE);

    /* insert another medium */
    g_assert_cmpint (virDomainUpdateDeviceFlags (handle, insert, VIR_DOMAIN_AFFECT_LIVE), ==, 0);
    wait_for (g, "tray-change", 4);
    g_variant_get (nth (g, "tray-change", 2)->args, "(m&si)", &alias, &reason);
    g_assert_cmpint (reason, ==, GVIR_DOMAIN_TRAY_CHANGE_REASON_OPEN);
    g_variant_get (nth (g, "tray-change", 3)->args, "(m&si)", &alias, &reason);
    g_assert_cmpint (reason, ==, GVIR_DOMAIN_TRAY_CHANGE_REASON_CLOSE);
    g_assert_cmpstr (alias, ==, "ide0-1-0");
    /* a medium change on a tray is not a disk-change (that is for sources
     * dropped at start): still only the one from the start */
    g_assert_cmpuint (count (g, "disk-change"), ==, 1);
    virDomainFree (handle);
}

static void
test_basic_hotplug (void)
{
    Guest *g = basic_guest ();
    virDomainPtr handle = guest_handle (g);
    const gchar *xml = "<input type='tablet' bus='usb'><alias name='ua-tablet'/></input>";
    const gchar *alias;

    g_assert_cmpint (virDomainAttachDeviceFlags (handle, xml, VIR_DOMAIN_AFFECT_LIVE), ==, 0);
    wait_for (g, "device-added", 1);
    g_variant_get (nth (g, "device-added", 0)->args, "(m&s)", &alias);
    g_assert_cmpstr (alias, ==, "ua-tablet");
    g_assert_cmpuint (detail_count (g, "device-added::ua-tablet"), ==, 1);
    g_assert_cmpuint (detail_count (g, "device-added::ua-other"), ==, 0);

    g_assert_cmpint (virDomainDetachDeviceFlags (handle, xml, VIR_DOMAIN_AFFECT_LIVE), ==, 0);
    wait_for (g, "device-removed", 1);
    g_variant_get (nth (g, "device-removed", 0)->args, "(m&s)", &alias);
    g_assert_cmpstr (alias, ==, "ua-tablet");
    g_assert_cmpuint (detail_count (g, "device-removed::ua-tablet"), ==, 1);
    g_assert_cmpuint (count (g, "device-removal-failed"), ==, 0);
    virDomainFree (handle);
}

/* QEMU's monitor replies are capped at 10 MiB by libvirt: a hex dump of 2 MB
 * of guest memory (about 15 MB of text) breaks the monitor connection, which
 * libvirt reports as a control error.  Must be the last test before stop:
 * the monitor is unusable afterwards. */
static void
test_basic_control_error (void)
{
    Guest *g = basic_guest ();
    virDomainPtr handle = guest_handle (g);
    gchar *reply = NULL;

    g_assert_cmpuint (count (g, "control-error"), ==, 0);
    g_assert_cmpint (virDomainQemuMonitorCommand (handle, "xp /2000000xb 0", &reply,
                                                  VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP), ==, -1);
    g_assert_null (reply);
    virResetLastError ();
    virDomainFree (handle);
    wait_for (g, "control-error", 1);
    g_assert_null (nth (g, "control-error", 0)->args);
}

static void
test_basic_stop (void)
{
    Guest *g = basic_guest ();
    g_autoptr(GError) error = NULL;

    gvir_domain_stop (g->dom, 0, &error);
    g_assert_no_error (error);
    wait_for_lifecycle (g, GVIR_DOMAIN_LIFECYCLE_EVENT_STOPPED,
                        VIR_DOMAIN_EVENT_STOPPED_DESTROYED, 1);
    g_assert_cmpuint (detail_count (g, "lifecycle::stopped"), ==, 1);
    /* nothing the basic guest did was a guest-side event */
    g_assert_cmpuint (count (g, "watchdog"), ==, 0);
    g_assert_cmpuint (count (g, "rtc-change"), ==, 0);
    g_assert_cmpuint (count (g, "io-error"), ==, 0);
    g_assert_cmpuint (count (g, "watermark"), ==, 0);
    guest_free (basic);
    basic = NULL;
}

/* ------------------------------------------------------------------------ */
/* guests that raise events themselves                                        */

static void
test_watchdog (void)
{
    g_autofree gchar *wd_none = test_domain_template (domain_dir, "watchdog", "ACTION", "none", NULL);
    g_autofree gchar *wd_pause = test_domain_template (domain_dir, "watchdog", "ACTION", "pause", NULL);
    Guest *none = guest_new ("wd-none", "watchdog", wd_none, NULL);
    Guest *pause = guest_new ("wd-pause", "watchdog", wd_pause, NULL);
    gint action;

    watch_details (none, "watchdog::none", "watchdog::pause", NULL);
    watch_details (pause, "watchdog::none", "watchdog::pause", NULL);
    /* both at once: the guests arm a 2 s timer */
    guest_start (none);
    guest_start (pause);
    wait_for (none, "watchdog", 1);
    wait_for (pause, "watchdog", 1);

    g_variant_get (nth (none, "watchdog", 0)->args, "(i)", &action);
    g_assert_cmpint (action, ==, GVIR_DOMAIN_WATCHDOG_ACTION_NONE);
    g_variant_get (nth (pause, "watchdog", 0)->args, "(i)", &action);
    g_assert_cmpint (action, ==, GVIR_DOMAIN_WATCHDOG_ACTION_PAUSE);

    /* the pause action pauses the guest, and says why */
    wait_for_lifecycle (pause, GVIR_DOMAIN_LIFECYCLE_EVENT_SUSPENDED,
                        VIR_DOMAIN_EVENT_SUSPENDED_WATCHDOG, 1);
    observe (QUIET_MS);
    g_assert_cmpuint (count (none, "watchdog"), ==, 1);     /* ib700 fires once */
    g_assert_cmpuint (count (pause, "watchdog"), ==, 1);
    g_assert_cmpuint (count_lifecycle (none, GVIR_DOMAIN_LIFECYCLE_EVENT_SUSPENDED,
                                       VIR_DOMAIN_EVENT_SUSPENDED_WATCHDOG), ==, 0);
    /* watchdog is detailed by the action's nick */
    g_assert_cmpuint (detail_count (none, "watchdog::none"), ==, 1);
    g_assert_cmpuint (detail_count (none, "watchdog::pause"), ==, 0);
    g_assert_cmpuint (detail_count (pause, "watchdog::pause"), ==, 1);
    g_assert_cmpuint (detail_count (pause, "watchdog::none"), ==, 0);
    guest_free (none);
    guest_free (pause);
}

static void
test_io_error (void)
{
    const gchar *export = g_getenv ("GVIR_EVENTS_NBD_EXPORT");
    /* report, on IDE: the guest sees the error and goes on */
    g_autofree gchar *eio = test_domain_template (domain_dir, "nbd-disk", "POLICY", "report", "TARGET", "hdb",
                                      "BUS", "ide", "NBD_EXPORT", export,
                                      "NBD_SOCKET", g_getenv ("GVIR_EVENTS_NBD_SOCKET"), NULL);
    /* stop, on SATA (QEMU 7.2's IDE asserts on a stopped PIO request): the
     * guest is paused; the disk fails with ENOSPC, for libvirt's reason */
    g_autofree gchar *enospc = test_domain_template (domain_dir, "nbd-disk", "POLICY", "stop", "TARGET", "sda",
                                         "BUS", "sata", "NBD_EXPORT", export,
                                         "NBD_SOCKET", g_getenv ("GVIR_EVENTS_NBD_ENOSPC_SOCKET"),
                                         NULL);
    Guest *report = guest_new ("io-report", "ioerror", eio, NULL);
    Guest *stop = guest_new ("io-stop", "ioerror", enospc, NULL);
    g_autoptr(GError) error = NULL;
    const gchar *disk, *alias, *src, *reason;
    gint action;

    watch_details (report, "io-error::hdb", "io-error::sda", NULL);
    watch_details (stop, "io-error::hdb", "io-error::sda", NULL);
    guest_start (report);
    guest_start (stop);
    wait_for (report, "io-error", 1);
    wait_for (stop, "io-error", 1);

    for (guint i = 0; i < count (report, "io-error"); i++) {
        Record *r = nth (report, "io-error", i);

        g_variant_get (r->args, "(m&sm&sm&sim&s)", &disk, &alias, &src, &action, &reason);
        g_assert_cmpstr (disk, ==, "hdb");
        g_assert_cmpstr (alias, ==, "ide0-0-1");
        g_assert_cmpstr (src, ==, export);
        g_assert_cmpint (action, ==, GVIR_DOMAIN_IO_ERROR_ACTION_REPORT);
        g_assert_cmpstr (reason, ==, "");       /* libvirt names only ENOSPC */
    }

    g_variant_get (nth (stop, "io-error", 0)->args, "(m&sm&sm&sim&s)",
                   &disk, &alias, &src, &action, &reason);
    g_assert_cmpstr (disk, ==, "sda");
    g_assert_cmpstr (alias, ==, "sata0-0-0");
    g_assert_cmpstr (src, ==, export);
    g_assert_cmpint (action, ==, GVIR_DOMAIN_IO_ERROR_ACTION_PAUSE);
    g_assert_cmpstr (reason, ==, "enospc");
    wait_for_lifecycle (stop, GVIR_DOMAIN_LIFECYCLE_EVENT_SUSPENDED,
                        VIR_DOMAIN_EVENT_SUSPENDED_IOERROR, 1);
    observe (QUIET_MS);
    /* one emission per error: one read failed, once, on each guest */
    g_assert_cmpuint (count (report, "io-error"), ==, 1);
    g_assert_cmpuint (count (stop, "io-error"), ==, 1);
    g_assert_cmpuint (count_lifecycle (report, GVIR_DOMAIN_LIFECYCLE_EVENT_SUSPENDED,
                                       VIR_DOMAIN_EVENT_SUSPENDED_IOERROR), ==, 0);

    /* resuming retries the request: it fails again, the guest pauses again */
    gvir_domain_resume (stop->dom, &error);
    g_assert_no_error (error);
    wait_for_lifecycle (stop, GVIR_DOMAIN_LIFECYCLE_EVENT_RESUMED,
                        VIR_DOMAIN_EVENT_RESUMED_UNPAUSED, 2);
    wait_for (stop, "io-error", 2);
    wait_for_lifecycle (stop, GVIR_DOMAIN_LIFECYCLE_EVENT_SUSPENDED,
                        VIR_DOMAIN_EVENT_SUSPENDED_IOERROR, 2);
    g_variant_get (nth (stop, "io-error", 1)->args, "(m&sm&sm&sim&s)",
                   &disk, &alias, &src, &action, &reason);
    g_assert_cmpstr (disk, ==, "sda");
    g_assert_cmpint (action, ==, GVIR_DOMAIN_IO_ERROR_ACTION_PAUSE);
    /* io-error is detailed by the disk's target */
    g_assert_cmpuint (detail_count (report, "io-error::hdb"), ==, 1);
    g_assert_cmpuint (detail_count (report, "io-error::sda"), ==, 0);
    g_assert_cmpuint (detail_count (stop, "io-error::sda"), ==, 2);
    g_assert_cmpuint (detail_count (stop, "io-error::hdb"), ==, 0);
    guest_free (report);
    guest_free (stop);
}

static void
test_rtc_change (void)
{
    Guest *g = guest_new ("rtc", "rtc", NULL, NULL);
    gint64 before, after, offset;

    before = (gint64) time (NULL);
    guest_start (g);
    wait_for (g, "rtc-change", 1);
    after = (gint64) time (NULL);
    g_variant_get (nth (g, "rtc-change", 0)->args, "(x)", &offset);
    /* the guest set 2001-02-03 04:05:06 UTC: offset = that - host time */
    g_assert_cmpint (offset, >=, GUEST_RTC_EPOCH - after - 1);
    g_assert_cmpint (offset, <=, GUEST_RTC_EPOCH - before + 1);
    observe (QUIET_MS);
    g_assert_cmpuint (count (g, "rtc-change"), ==, 1);
    guest_free (g);
}

static guint hda_watermarks, hdb_watermarks;

static void
on_watermark_hda (GVirDomainEvents *ev, const gchar *disk, const gchar *path,
                  guint64 threshold, guint64 excess, gpointer data)
{
    hda_watermarks++;
}

static void
on_watermark_hdb (GVirDomainEvents *ev, const gchar *disk, const gchar *path,
                  guint64 threshold, guint64 excess, gpointer data)
{
    g_assert_cmpstr (disk, ==, "hdb");
    hdb_watermarks++;
}

static void
test_watermark (void)
{
    g_autofree gchar *data = scratch_path ("wm", "data.img");
    g_autofree gchar *disk = NULL;
    g_autoptr(GError) error = NULL;
    Guest *g;
    const gchar *dev, *path;
    guint64 threshold, excess;
    Raw raw;

    g_assert_true (g_file_set_contents (data, "", 0, NULL));
    g_assert_cmpint (truncate (data, 1 << 20), ==, 0);
    disk = test_domain_template (domain_dir, "file-disk", "PATH", data, "TARGET", "hdb", "FORMAT", "raw",
                     "BUS", "ide", NULL);
    g = guest_new ("wm", "diskwrite", disk, NULL);
    g_signal_connect (g->ev, "watermark::hda", G_CALLBACK (on_watermark_hda), NULL);
    g_signal_connect (g->ev, "watermark::hdb", G_CALLBACK (on_watermark_hdb), NULL);
    guest_start (g);

    /* a disk that does not exist */
    g_assert_false (gvir_domain_events_set_watermark (g->ev, "vdz", 4096, &error));
    g_assert_error (error, GVIR_EVENTS_ERROR, GVIR_EVENTS_ERROR_FAILED);
    g_clear_error (&error);

    /* The guest writes bytes 8192..8703 of hdb, 18 times a second: each
     * threshold set is crossed within a tick.  The second one is set as soon
     * as the first crossing is heard, as a program growing a volume would. */
    raw_start (&raw, g, VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD);
    for (guint crossing = 0; crossing < 2; crossing++) {
        g_assert_true (gvir_domain_events_set_watermark (g->ev, "hdb", 4096, &error));
        g_assert_no_error (error);
        /* libvirt's own callback says when the crossing happened */
        raw_wanted = crossing + 1;
        g_assert_true (iterate_until (raw_has_n, &raw, WAIT_MS));
    }
    observe (QUIET_MS);
    raw_stop (&raw);
    /* two crossings, each reported twice by libvirt ("hdb" and "hdb[1]"),
     * each emitted exactly once */
    g_assert_cmpuint (raw.n, ==, 2);
    g_assert_cmpuint (raw.n_indexed, ==, 2);
    g_assert_cmpuint (count (g, "watermark"), ==, raw.n);
    for (guint crossing = 0; crossing < 2; crossing++) {
        g_variant_get (nth (g, "watermark", crossing)->args, "(m&sm&stt)",
                       &dev, &path, &threshold, &excess);
        g_assert_cmpstr (dev, ==, "hdb");
        g_assert_cmpstr (path, ==, data);
        g_assert_cmpuint (threshold, ==, 4096);
        g_assert_cmpuint (excess, >, 0);
        g_assert_cmpuint (excess, ==, GUEST_WRITE_END - 4096);
    }
    g_assert_cmpuint (hdb_watermarks, ==, 2);
    g_assert_cmpuint (hda_watermarks, ==, 0);
    guest_free (g);
}

static void
test_guest_reset (void)
{
    Guest *g = guest_new ("reset", "reset", NULL, NULL);
    Raw raw;

    raw_start (&raw, g, VIR_DOMAIN_EVENT_ID_REBOOT);
    guest_start (g);
    wait_for (g, "reboot", 1);
    /* the guest resets itself once; SeaBIOS resets the machine again while
     * rebooting (how often depends on the firmware): one emission for each
     * reset libvirt reports, and the same QEMU process goes on */
    observe (QUIET_MS);
    raw_stop (&raw);
    g_assert_cmpuint (raw.n, >=, 1);
    g_assert_cmpuint (count (g, "reboot"), ==, raw.n);
    g_assert_cmpuint (count_lifecycle (g, GVIR_DOMAIN_LIFECYCLE_EVENT_STARTED,
                                       VIR_DOMAIN_EVENT_STARTED_BOOTED), ==, 1);
    g_assert_cmpuint (count_lifecycle (g, GVIR_DOMAIN_LIFECYCLE_EVENT_STOPPED,
                                       VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN), ==, 0);
    guest_free (g);
}

static void
qemu_img (const gchar *qemu_img_path, const gchar *image, const gchar *backing)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GSubprocess) p = NULL;

    if (backing)
        p = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, qemu_img_path, "create", "-q",
                              "-f", "qcow2", "-b", backing, "-F", "qcow2", image, NULL);
    else
        p = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, qemu_img_path, "create", "-q",
                              "-f", "qcow2", image, "1M", NULL);
    g_assert_no_error (error);
    g_subprocess_wait_check (p, NULL, &error);
    g_assert_no_error (error);
}

static void
assert_block_job (Guest *g, guint n, const gchar *disk, GVirDomainBlockJobType type,
                  GVirDomainBlockJobStatus status)
{
    Record *r = nth (g, "block-job", n);
    const gchar *d;
    gint t, s;

    g_variant_get (r->args, "(m&sii)", &d, &t, &s);
    g_assert_cmpstr (d, ==, disk);
    g_assert_cmpint (t, ==, type);
    g_assert_cmpint (s, ==, status);
}

static void
test_block_job (void)
{
    const gchar *qemu_img_path = g_getenv ("GVIR_EVENTS_QEMU_IMG");
    g_autofree gchar *base = scratch_path ("bj", "base.qcow2");
    g_autofree gchar *mid = scratch_path ("bj", "mid.qcow2");
    g_autofree gchar *top = scratch_path ("bj", "top.qcow2");
    g_autofree gchar *base2 = scratch_path ("bj", "base2.qcow2");
    g_autofree gchar *top2 = scratch_path ("bj", "top2.qcow2");
    g_autofree gchar *copy = scratch_path ("bj", "copy.qcow2");
    g_autofree gchar *hdb = NULL, *hdc = NULL, *devices = NULL, *dest = NULL;
    virDomainPtr handle;
    Guest *g;

    if (!qemu_img_path || !*qemu_img_path) {
        skip_or_fail ("qemu-img (Debian package qemu-utils) is missing: it makes the "
                      "qcow2 chains of the block jobs");
        return;
    }
    qemu_img (qemu_img_path, base, NULL);
    qemu_img (qemu_img_path, mid, base);
    qemu_img (qemu_img_path, top, mid);
    qemu_img (qemu_img_path, base2, NULL);
    qemu_img (qemu_img_path, top2, base2);
    hdb = test_domain_template (domain_dir, "file-disk", "PATH", top, "TARGET", "hdb", "FORMAT", "qcow2",
                    "BUS", "ide", NULL);
    hdc = test_domain_template (domain_dir, "file-disk", "PATH", top2, "TARGET", "hdc", "FORMAT", "qcow2",
                    "BUS", "ide", NULL);
    devices = g_strconcat (hdb, hdc, NULL);
    g = guest_new ("bj", "idle", devices, NULL);
    watch_details (g, "block-job::hdb", "block-job::hdc", NULL);
    guest_start (g);
    handle = guest_handle (g);

    /* commit mid into base, below the active layer */
    g_assert_cmpint (virDomainBlockCommit (handle, "hdb", base, mid, 0, 0), ==, 0);
    wait_for (g, "block-job", 1);
    assert_block_job (g, 0, "hdb", GVIR_DOMAIN_BLOCK_JOB_TYPE_COMMIT,
                      GVIR_DOMAIN_BLOCK_JOB_STATUS_COMPLETED);

    /* commit the active layer: ready, then pivot */
    g_assert_cmpint (virDomainBlockCommit (handle, "hdb", NULL, NULL, 0,
                                           VIR_DOMAIN_BLOCK_COMMIT_ACTIVE), ==, 0);
    wait_for (g, "block-job", 2);
    assert_block_job (g, 1, "hdb", GVIR_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT,
                      GVIR_DOMAIN_BLOCK_JOB_STATUS_READY);
    g_assert_cmpint (virDomainBlockJobAbort (handle, "hdb",
                                             VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT), ==, 0);
    wait_for (g, "block-job", 3);
    assert_block_job (g, 2, "hdb", GVIR_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT,
                      GVIR_DOMAIN_BLOCK_JOB_STATUS_COMPLETED);

    /* pull base2 into top2 */
    g_assert_cmpint (virDomainBlockPull (handle, "hdc", 0, 0), ==, 0);
    wait_for (g, "block-job", 4);
    assert_block_job (g, 3, "hdc", GVIR_DOMAIN_BLOCK_JOB_TYPE_PULL,
                      GVIR_DOMAIN_BLOCK_JOB_STATUS_COMPLETED);

    /* copy hdc: ready, then abandon the copy */
    dest = g_strdup_printf ("<disk type='file'><source file='%s'/>"
                            "<driver type='qcow2'/></disk>", copy);
    g_assert_cmpint (virDomainBlockCopy (handle, "hdc", dest, NULL, 0,
                                         VIR_DOMAIN_BLOCK_COPY_TRANSIENT_JOB), ==, 0);
    wait_for (g, "block-job", 5);
    assert_block_job (g, 4, "hdc", GVIR_DOMAIN_BLOCK_JOB_TYPE_COPY,
                      GVIR_DOMAIN_BLOCK_JOB_STATUS_READY);
    g_assert_cmpint (virDomainBlockJobAbort (handle, "hdc", 0), ==, 0);
    wait_for (g, "block-job", 6);
    assert_block_job (g, 5, "hdc", GVIR_DOMAIN_BLOCK_JOB_TYPE_COPY,
                      GVIR_DOMAIN_BLOCK_JOB_STATUS_CANCELED);
    observe (300);
    g_assert_cmpuint (count (g, "block-job"), ==, 6);
    g_assert_cmpuint (detail_count (g, "block-job::hdb"), ==, 3);
    g_assert_cmpuint (detail_count (g, "block-job::hdc"), ==, 3);
    virDomainFree (handle);
    guest_free (g);
}

static void
test_pm (void)
{
    Guest *s3 = guest_new ("s3", "s3", NULL, NULL);
    Guest *s4 = guest_new ("s4", "s4", NULL, NULL);
    virDomainPtr handle;
    gint reason;

    guest_start (s3);
    guest_start (s4);

    /* S3: suspended to RAM, then woken up by the host */
    wait_for (s3, "pm-suspend", 1);
    g_variant_get (nth (s3, "pm-suspend", 0)->args, "(i)", &reason);
    g_assert_cmpint (reason, ==, 0);
    wait_for_lifecycle (s3, GVIR_DOMAIN_LIFECYCLE_EVENT_PMSUSPENDED,
                        VIR_DOMAIN_EVENT_PMSUSPENDED_MEMORY, 1);
    handle = guest_handle (s3);
    g_assert_cmpint (virDomainPMWakeup (handle, 0), ==, 0);
    virDomainFree (handle);
    wait_for (s3, "pm-wakeup", 1);
    g_variant_get (nth (s3, "pm-wakeup", 0)->args, "(i)", &reason);
    g_assert_cmpint (reason, ==, 0);
    wait_for_lifecycle (s3, GVIR_DOMAIN_LIFECYCLE_EVENT_STARTED,
                        VIR_DOMAIN_EVENT_STARTED_WAKEUP, 1);
    g_assert_cmpuint (count (s3, "pm-suspend-disk"), ==, 0);

    /* S4: suspended to disk, which for QEMU is a power-off */
    wait_for (s4, "pm-suspend-disk", 1);
    g_variant_get (nth (s4, "pm-suspend-disk", 0)->args, "(i)", &reason);
    g_assert_cmpint (reason, ==, 0);
    wait_for_lifecycle (s4, GVIR_DOMAIN_LIFECYCLE_EVENT_PMSUSPENDED,
                        VIR_DOMAIN_EVENT_PMSUSPENDED_DISK, 1);
    wait_for_lifecycle (s4, GVIR_DOMAIN_LIFECYCLE_EVENT_STOPPED,
                        VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN, 1);
    g_assert_cmpuint (count (s4, "pm-suspend"), ==, 0);
    g_assert_cmpuint (count (s4, "pm-wakeup"), ==, 0);
    observe (300);
    g_assert_cmpuint (count (s3, "pm-suspend"), ==, 1);
    g_assert_cmpuint (count (s3, "pm-wakeup"), ==, 1);
    g_assert_cmpuint (count (s4, "pm-suspend-disk"), ==, 1);
    guest_free (s3);
    guest_free (s4);
}

static void
test_balloon (void)
{
    Guest *g = guest_new ("balloon", "balloon", NULL, NULL);
    guint64 actual;

    guest_start (g);
    wait_for (g, "balloon-change", 1);
    g_variant_get (nth (g, "balloon-change", 0)->args, "(t)", &actual);
    g_assert_cmpuint (actual, ==, GUEST_BALLOON_ACTUAL_KIB);
    observe (300);
    g_assert_cmpuint (count (g, "balloon-change"), ==, 1);
    guest_free (g);
}

static void
test_save_restore (void)
{
    Guest *g = guest_new ("save", "idle", NULL, NULL);
    g_autofree gchar *file = scratch_path ("save", "state");
    g_autoptr(GVariant) stats = NULL;
    virConnectPtr vconn = NULL;
    virDomainPtr handle;
    gint32 operation;
    guint64 total;
    gint iteration;

    guest_start (g);
    handle = guest_handle (g);
    g_assert_cmpint (virDomainSave (handle, file), ==, 0);
    virDomainFree (handle);

    /* saving is a migration to a file: its passes, then the job's stats */
    wait_for (g, "job-completed", 1);
    wait_for_lifecycle (g, GVIR_DOMAIN_LIFECYCLE_EVENT_STOPPED,
                        VIR_DOMAIN_EVENT_STOPPED_SAVED, 1);
    g_assert_cmpuint (count (g, "migration-iteration"), >=, 1);
    for (guint i = 0; i < count (g, "migration-iteration"); i++) {
        g_variant_get (nth (g, "migration-iteration", i)->args, "(i)", &iteration);
        g_assert_cmpint (iteration, ==, (gint) i + 1);
    }
    g_assert_cmpuint (count (g, "job-completed"), ==, 1);
    g_variant_get (nth (g, "job-completed", 0)->args, "(@a{sv})", &stats);
    g_assert_true (g_variant_lookup (stats, VIR_DOMAIN_JOB_OPERATION, "i", &operation));
    g_assert_cmpint (operation, ==, VIR_DOMAIN_JOB_OPERATION_SAVE);
    g_assert_true (g_variant_lookup (stats, VIR_DOMAIN_JOB_MEMORY_TOTAL, "t", &total));
    g_assert_cmpuint (total, >=, 16 << 20);

    /* the same companion hears the restored domain (same UUID) */
    g_object_get (conn, "handle", &vconn, NULL);
    g_assert_cmpint (virDomainRestore (vconn, file), ==, 0);
    virConnectClose (vconn);
    wait_for_lifecycle (g, GVIR_DOMAIN_LIFECYCLE_EVENT_STARTED,
                        VIR_DOMAIN_EVENT_STARTED_RESTORED, 1);
    guest_free (g);
}

static void
test_memory_failure (void)
{
    Guest *g = guest_new ("mce", "idle", NULL, NULL);
    g_autofree gchar *reply1 = NULL, *reply2 = NULL;
    gint recipient, action;
    guint flags;

    guest_start (g);
    /* QEMU's monitor command mce injects a machine check (as the KVM SIGBUS
     * handler would for a host memory error): a corrected error in bank 1
     * (MCi_STATUS: VAL) is recorded for the guest... */
    reply1 = hmp (g, "mce 0 1 0x8000000000000000 0 0 0");
    wait_for (g, "memory-failure", 1);
    g_variant_get (nth (g, "memory-failure", 0)->args, "(iiu)", &recipient, &action, &flags);
    g_assert_cmpint (recipient, ==, GVIR_DOMAIN_MEMORY_FAILURE_RECIPIENT_GUEST);
    g_assert_cmpint (action, ==, GVIR_DOMAIN_MEMORY_FAILURE_ACTION_INJECT);
    g_assert_cmpuint (flags, ==, 0);

    /* ...an uncorrected, action-required one (VAL|UC|AR) into a guest
     * without CR4.MCE is a triple fault: QEMU resets the guest */
    reply2 = hmp (g, "mce 0 1 0xa080000000000000 0 0 0");
    wait_for (g, "memory-failure", 2);
    g_variant_get (nth (g, "memory-failure", 1)->args, "(iiu)", &recipient, &action, &flags);
    g_assert_cmpint (recipient, ==, GVIR_DOMAIN_MEMORY_FAILURE_RECIPIENT_GUEST);
    g_assert_cmpint (action, ==, GVIR_DOMAIN_MEMORY_FAILURE_ACTION_RESET);
    g_assert_cmpuint (flags, ==, GVIR_DOMAIN_MEMORY_FAILURE_FLAGS_ACTION_REQUIRED);
    wait_for (g, "reboot", 1);
    guest_free (g);
}

static void
test_device_removal_failed (void)
{
    const gchar *dimm = "<memory model='dimm'><target><size unit='MiB'>128</size>"
                        "<node>0</node></target><alias name='ua-dimm0'/></memory>";
    const gchar *extra = "  <maxMemory slots='2' unit='MiB'>1024</maxMemory>\n"
                         "  <cpu><numa><cell id='0' cpus='0' memory='16' unit='MiB'/>"
                         "</numa></cpu>\n";
    Guest *g = guest_new ("dimm", "dimm", dimm, extra);
    virDomainPtr handle;
    const gchar *alias;

    watch_details (g, "device-removal-failed::ua-dimm0", NULL);
    guest_start (g);
    handle = guest_handle (g);
    /* the guest answers the eject request with _OST failure */
    g_assert_cmpint (virDomainDetachDeviceFlags (handle, dimm, VIR_DOMAIN_AFFECT_LIVE), ==, -1);
    virResetLastError ();
    virDomainFree (handle);
    wait_for (g, "device-removal-failed", 1);
    g_variant_get (nth (g, "device-removal-failed", 0)->args, "(m&s)", &alias);
    g_assert_cmpstr (alias, ==, "ua-dimm0");
    g_assert_cmpuint (detail_count (g, "device-removal-failed::ua-dimm0"), ==, 1);
    g_assert_cmpuint (count (g, "device-removed"), ==, 0);
    guest_free (g);
}

/* ------------------------------------------------------------------------ */
/* isolation: two guests raising events at once                               */

typedef struct {
    GPtrArray *events;          /* GVirEvent */
    GPtrArray *domains;         /* GVirDomain, the signal's first argument */
} ConnectionLog;

static void
on_domain_event (GVirConnectionEvents *cev, GVirDomain *domain, GVirEvent *event,
                 ConnectionLog *log)
{
    g_assert_true (GVIR_IS_DOMAIN (domain));
    g_assert_true (GVIR_IS_EVENT (event));
    g_ptr_array_add (log->events, g_object_ref (event));
    g_ptr_array_add (log->domains, g_object_ref (domain));
}

static GVirEvent *
find_event (ConnectionLog *log, Guest *g, GVirDomainEventKind kind, guint *n)
{
    GVirEvent *found = NULL;

    *n = 0;
    for (guint i = 0; i < log->events->len; i++) {
        GVirEvent *e = log->events->pdata[i];

        if (gvir_event_get_kind (e) != kind || g_strcmp0 (gvir_event_get_domain_name (e), g->name))
            continue;
        /* the domain handed with the event is the one it is about */
        g_assert_true (log->domains->pdata[i] == g->dom);
        g_assert_cmpstr (gvir_event_get_domain_uuid (e), ==, g->uuid);
        found = e;
        (*n)++;
    }
    return found;
}

static void
test_isolation (void)
{
    g_autofree gchar *wd = test_domain_template (domain_dir, "watchdog", "ACTION", "none", NULL);
    GVirConnectionEvents *cev = gvir_connection_events_get_for_connection (conn);
    ConnectionLog log = { g_ptr_array_new_with_free_func (g_object_unref),
                          g_ptr_array_new_with_free_func (g_object_unref) };
    Guest *a = guest_new ("iso-a", "watchdog", wd, NULL);
    Guest *b = guest_new ("iso-b", "rtc", NULL, NULL);
    GVariant *payload;          /* transfer none */
    GVirEvent *e;
    guint n;
    gulong id;
    gint64 offset, signal_offset;

    g_assert_true (gvir_connection_events_get_for_connection (conn) == cev);
    g_assert_true (gvir_connection_events_get_connection (cev) == conn);
    id = g_signal_connect (cev, "domain-event", G_CALLBACK (on_domain_event), &log);
    guest_start (a);
    guest_start (b);
    wait_for (a, "watchdog", 1);
    wait_for (b, "rtc-change", 1);
    observe (QUIET_MS);

    /* each companion heard its own guest only */
    g_assert_cmpuint (count (a, "watchdog"), ==, 1);
    g_assert_cmpuint (count (a, "rtc-change"), ==, 0);
    g_assert_cmpuint (count (b, "rtc-change"), ==, 1);
    g_assert_cmpuint (count (b, "watchdog"), ==, 0);
    g_assert_cmpuint (count_lifecycle (a, GVIR_DOMAIN_LIFECYCLE_EVENT_STARTED,
                                       VIR_DOMAIN_EVENT_STARTED_BOOTED), ==, 1);
    g_assert_cmpuint (count_lifecycle (b, GVIR_DOMAIN_LIFECYCLE_EVENT_STARTED,
                                       VIR_DOMAIN_EVENT_STARTED_BOOTED), ==, 1);

    /* the connection's handler heard both, with the same payloads */
    e = find_event (&log, a, GVIR_DOMAIN_EVENT_KIND_WATCHDOG, &n);
    g_assert_cmpuint (n, ==, 1);
    g_assert_cmpstr (gvir_event_get_kind_name (e), ==, "watchdog");
    g_assert_nonnull (gvir_event_get_time (e));
    e = find_event (&log, b, GVIR_DOMAIN_EVENT_KIND_RTC_CHANGE, &n);
    g_assert_cmpuint (n, ==, 1);
    payload = gvir_event_get_payload (e);
    g_assert_nonnull (payload);
    g_assert_true (g_variant_is_of_type (payload, G_VARIANT_TYPE_VARDICT));
    g_assert_true (g_variant_lookup (payload, "utc_offset", "x", &offset));
    g_variant_get (nth (b, "rtc-change", 0)->args, "(x)", &signal_offset);
    g_assert_cmpint (offset, ==, signal_offset);
    g_assert_null (find_event (&log, a, GVIR_DOMAIN_EVENT_KIND_RTC_CHANGE, &n));
    g_assert_null (find_event (&log, b, GVIR_DOMAIN_EVENT_KIND_WATCHDOG, &n));
    g_assert_nonnull (find_event (&log, a, GVIR_DOMAIN_EVENT_KIND_LIFECYCLE, &n));
    g_assert_nonnull (find_event (&log, b, GVIR_DOMAIN_EVENT_KIND_LIFECYCLE, &n));

    g_signal_handler_disconnect (cev, id);
    guest_free (a);
    guest_free (b);
    g_ptr_array_unref (log.events);
    g_ptr_array_unref (log.domains);
}

/* ------------------------------------------------------------------------ */

/* libvirt-gobject 4.0 (which logs without a domain) warns "code should not
 * be reached" from its own lifecycle callback for events it does not know
 * (pmsuspended...).  That one is libvirt-gobject's, not ours: it is let
 * through; any other warning is fatal, as GTest makes it by default. */
/* ------------------------------------------------------------------------ */
/* secrets: the daemon's secret driver (the test driver has none)             */

typedef struct {
    GPtrArray *lines;           /* "signal UUID event detail" */
    guint undefined;            /* calls of secret-lifecycle::undefined */
} SecretRecords;

static void
on_secret_lifecycle (GVirConnectionEvents *events, GVirSecret *secret,
                     GVirSecretLifecycleEvent event, gint detail, gpointer data)
{
    SecretRecords *r = data;

    g_assert_true (GVIR_IS_SECRET (secret));
    g_ptr_array_add (r->lines, g_strdup_printf ("secret-lifecycle %s %d %d",
                                                gvir_secret_get_uuid (secret), event, detail));
}

static void
on_secret_value_changed (GVirConnectionEvents *events, GVirSecret *secret, gpointer data)
{
    SecretRecords *r = data;

    g_assert_true (GVIR_IS_SECRET (secret));
    g_ptr_array_add (r->lines, g_strdup_printf ("secret-value-changed %s",
                                                gvir_secret_get_uuid (secret)));
}

static void
on_secret_undefined (GVirConnectionEvents *events, GVirSecret *secret,
                     GVirSecretLifecycleEvent event, gint detail, gpointer data)
{
    SecretRecords *r = data;

    g_assert_cmpint (event, ==, GVIR_SECRET_LIFECYCLE_EVENT_UNDEFINED);
    r->undefined++;
}

static gboolean
has_three_lines (gpointer data)
{
    SecretRecords *r = data;

    return r->lines->len >= 3;
}

/* Define a secret, set its value, undefine it: every typed argument, the detail filter. */
static void
test_secret (void)
{
    static const char uuid[] = "5a0c3e1f-2b4d-4e6f-8a9b-0c1d2e3f4a5b";
    static const guchar value[] = "swordfish";
    GVirConnectionEvents *events = gvir_connection_events_get_for_connection (conn);
    g_autofree gchar *xml = NULL;
    SecretRecords r = { g_ptr_array_new_with_free_func (g_free), 0 };
    virConnectPtr handle = NULL;
    virSecretPtr secret;
    gulong ids[3];

    if (!gvir_connection_events_supports_object_event (events,
                                                       GVIR_OBJECT_EVENT_KIND_SECRET_LIFECYCLE)) {
        g_assert_false (require_all);
        g_test_skip ("the daemon has no secret driver");
        g_ptr_array_unref (r.lines);
        return;
    }
    g_assert_true (gvir_connection_events_supports_object_event (
        events, GVIR_OBJECT_EVENT_KIND_SECRET_VALUE_CHANGED));
    ids[0] = g_signal_connect (events, "secret-lifecycle", G_CALLBACK (on_secret_lifecycle), &r);
    ids[1] = g_signal_connect (events, "secret-value-changed",
                               G_CALLBACK (on_secret_value_changed), &r);
    ids[2] = g_signal_connect (events, "secret-lifecycle::undefined",
                               G_CALLBACK (on_secret_undefined), &r);

    g_object_get (conn, "handle", &handle, NULL);
    xml = g_strdup_printf ("<secret ephemeral='no' private='yes'><uuid>%s</uuid>"
                           "<usage type='volume'><volume>%s/%s-secret</volume></usage>"
                           "</secret>", uuid, test_dir, prefix);
    secret = virSecretDefineXML (handle, xml, 0);
    g_assert_nonnull (secret);
    g_assert_cmpint (virSecretSetValue (secret, value, sizeof (value) - 1, 0), ==, 0);
    g_assert_cmpint (virSecretUndefine (secret), ==, 0);
    virSecretFree (secret);
    virConnectClose (handle);

    g_assert_true (iterate_until (has_three_lines, &r, WAIT_MS));
    observe (QUIET_MS);
    g_assert_cmpuint (r.lines->len, ==, 3);
    g_assert_cmpstr (g_ptr_array_index (r.lines, 0), ==,
                     "secret-lifecycle 5a0c3e1f-2b4d-4e6f-8a9b-0c1d2e3f4a5b 0 0");
    g_assert_cmpstr (g_ptr_array_index (r.lines, 1), ==,
                     "secret-value-changed 5a0c3e1f-2b4d-4e6f-8a9b-0c1d2e3f4a5b");
    g_assert_cmpstr (g_ptr_array_index (r.lines, 2), ==,
                     "secret-lifecycle 5a0c3e1f-2b4d-4e6f-8a9b-0c1d2e3f4a5b 1 0");
    g_assert_cmpuint (r.undefined, ==, 1);

    for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
        g_signal_handler_disconnect (events, ids[i]);
    g_ptr_array_unref (r.lines);
}

static void
warning_handler (const gchar *log_domain, GLogLevelFlags level,
                 const gchar *message, gpointer data)
{
    g_log_default_handler (log_domain, level, message, data);
    if (log_domain == NULL && message &&
        strstr (message, "libvirt-gobject-connection.c") &&
        strstr (message, "domain_event_cb: code should not be reached"))
        return;
    g_printerr ("unexpected warning: aborting\n");
    abort ();
}

static void
on_link_signal (GVirConnectionEvents *events G_GNUC_UNUSED, gpointer counter)
{
    (*(guint *) counter)++;
}

static void
on_disconnected (GVirConnectionEvents *events, GVirConnectionCloseReason reason, gpointer counter)
{
    on_link_signal (events, counter);
}

static gboolean
reached (gpointer data)
{
    return *(guint *) data > 0;
}

/*
 * libvirtd killed with SIGKILL under a running QEMU guest, then started
 * again: QEMU keeps running, libvirt reattaches, the library reconnects by
 * itself, and the guest's events reach the handlers connected before.
 */
static void
test_daemon_restart (void)
{
    g_autofree gchar *wd_none = test_domain_template (domain_dir, "watchdog", "ACTION", "none", NULL);
    GVirConnectionEvents *events = gvir_connection_events_get_for_connection (conn);
    guint disconnected = 0, reconnected = 0;
    virDomainPtr handle;
    int state = -1, reason;
    Guest *g;

    if (!g_getenv ("GVIR_EVENTS_CONTROL")) {
        g_test_skip ("the daemon is not the harness's own: it cannot be restarted");
        return;
    }
    g_object_set (events, "reconnect-interval", 200, NULL);
    g_signal_connect (events, "disconnected", G_CALLBACK (on_disconnected), &disconnected);
    g_signal_connect (events, "reconnected", G_CALLBACK (on_link_signal), &reconnected);

    g = guest_new ("restart", "watchdog", wd_none, NULL);
    guest_start (g);
    wait_for (g, "watchdog", 1);

    test_control_daemon ("kill");
    g_assert_true (iterate_until (reached, &disconnected, WAIT_MS));
    g_assert_false (gvir_connection_events_get_connected (events));
    test_control_daemon ("start");
    g_assert_true (iterate_until (reached, &reconnected, 60 * 1000));
    g_assert_cmpuint (disconnected, ==, 1);
    g_assert_cmpuint (reconnected, ==, 1);
    g_assert_true (gvir_connection_events_get_connected (events));

    /* the same companion; a wrapper that works; QEMU never stopped */
    g_assert_true (gvir_domain_events_get_for_domain (gvir_domain_events_get_domain (g->ev)) == g->ev);
    g_set_object (&g->dom, gvir_domain_events_get_domain (g->ev));
    handle = guest_handle (g);
    g_assert_cmpint (virDomainGetState (handle, &state, &reason, 0), ==, 0);
    g_assert_cmpint (state, ==, VIR_DOMAIN_RUNNING);
    g_assert_cmpuint (count_lifecycle (g, GVIR_DOMAIN_LIFECYCLE_EVENT_STOPPED,
                                       VIR_DOMAIN_EVENT_STOPPED_DESTROYED), ==, 0);

    /* a reset re-runs the guest's boot sector, which arms the watchdog again */
    g_assert_cmpint (virDomainReset (handle, 0), ==, 0);
    virDomainFree (handle);
    wait_for (g, "reboot", 1);
    wait_for (g, "watchdog", 2);

    g_signal_handlers_disconnect_by_data (events, &disconnected);
    g_signal_handlers_disconnect_by_data (events, &reconnected);
    guest_free (g);
}

int
main (int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    const gchar *uri = g_getenv ("GVIR_EVENTS_TEST_URI");
    const gchar *fatal_domains[] = { "libvirt-gevents", "GLib", "GLib-GObject", "GLib-GIO" };
    int ret;

    test_dir = g_getenv ("GVIR_EVENTS_TEST_DIR");
    guest_dir = g_getenv ("GVIR_EVENTS_GUEST_DIR");
    domain_dir = g_getenv ("GVIR_EVENTS_DOMAIN_DIR");
    prefix = g_getenv ("GVIR_EVENTS_DOMAIN_PREFIX");
    require_all = g_strcmp0 (g_getenv ("GVIR_EVENTS_REQUIRE_HYPERVISOR"), "1") == 0;
    if (!uri || !test_dir || !guest_dir || !domain_dir || !prefix) {
        g_printerr ("%s: run me through tests/integration/hv-harness run -- %s\n",
                    argv[0], argv[0]);
        return require_all ? 1 : 77;
    }

    /* before any connection: it gives libvirt GLib's event loop */
    gvir_init_object (&argc, &argv);
    g_test_init (&argc, &argv, NULL);
    g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
    g_log_set_handler (NULL, G_LOG_LEVEL_WARNING, warning_handler, NULL);
    for (guint i = 0; i < G_N_ELEMENTS (fatal_domains); i++)
        g_log_set_fatal_mask (fatal_domains[i], G_LOG_FATAL_MASK | G_LOG_LEVEL_WARNING
                              | G_LOG_LEVEL_CRITICAL);

    conn = gvir_connection_new (uri);
    gvir_connection_open (conn, NULL, &error);
    g_assert_no_error (error);

    g_test_add_func ("/real/basic/start", test_basic_start);
    g_test_add_func ("/real/basic/suspend-resume", test_basic_suspend_resume);
    g_test_add_func ("/real/basic/metadata", test_basic_metadata);
    g_test_add_func ("/real/basic/tunable", test_basic_tunable);
    g_test_add_func ("/real/basic/vnc", test_basic_vnc);
    g_test_add_func ("/real/basic/spice", test_basic_spice);
    g_test_add_func ("/real/basic/reset", test_basic_reset);
    g_test_add_func ("/real/basic/cdrom", test_basic_cdrom);
    g_test_add_func ("/real/basic/hotplug", test_basic_hotplug);
    g_test_add_func ("/real/basic/control-error", test_basic_control_error);
    g_test_add_func ("/real/basic/stop", test_basic_stop);
    g_test_add_func ("/real/watchdog", test_watchdog);
    g_test_add_func ("/real/io-error", test_io_error);
    g_test_add_func ("/real/rtc-change", test_rtc_change);
    g_test_add_func ("/real/watermark", test_watermark);
    g_test_add_func ("/real/guest-reset", test_guest_reset);
    g_test_add_func ("/real/block-job", test_block_job);
    g_test_add_func ("/real/pm", test_pm);
    g_test_add_func ("/real/balloon", test_balloon);
    g_test_add_func ("/real/save-restore", test_save_restore);
    g_test_add_func ("/real/memory-failure", test_memory_failure);
    g_test_add_func ("/real/device-removal-failed", test_device_removal_failed);
    g_test_add_func ("/real/isolation", test_isolation);
    g_test_add_func ("/real/secret", test_secret);
    /* last: the daemon it restarts serves the others */
    g_test_add_func ("/real/daemon-restart", test_daemon_restart);

    ret = g_test_run ();

    guest_free (basic);         /* when /real/basic/stop did not run */
    gvir_connection_close (conn);
    g_object_unref (conn);
    g_free (basic_iso);
    g_free (basic_iso2);
    g_free (basic_missing_iso);
    return ret;
}
