/*
 * gvir-guest-users.c: guest user logon and logoff, from the guest agent
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <libvirt/virterror.h>

#include "libvirt-gevents.h"
#include "gvir-guest-users-private.h"
#include "gvir-events-util-private.h"
#include "gvir-events-text.h"

/*
 * libvirt has no event for a user logging on to a guest.  The guest agent
 * knows who is logged on (virDomainGetGuestInfo(VIR_DOMAIN_GUEST_INFO_USERS),
 * from utmp on Linux), so each companion asks it every `guest-users-interval`
 * seconds and emits the difference between two answers, through the hub
 * like any libvirt event (so GVirConnectionEvents::domain-event carries them
 * too).  The rules:
 *
 * - only while a handler of either signal is connected: GObject says nothing
 *   when one is, so each companion's count runs anyway, and a turn without
 *   handlers costs two handler lookups.  One seconds timer per main context
 *   counts for all the companions of that context (a GSource per companion
 *   would make every iteration of the main loop walk thousands of them); the
 *   state below is allocated at the first turn that finds a handler: until
 *   then a companion costs its GVirGuestUsersSlot;
 * - only while the agent may answer: not after agent-lifecycle said
 *   disconnected, nor while the domain is not running;
 * - never from the companion's main context: the call is an RPC that waits
 *   for the agent, so it runs in a GTask thread, one at a time;
 * - the first answer (after a handler is connected, or after the domain
 *   started) is a baseline, not a burst of logons;
 * - an error is logged at debug level once, then the agent is asked less
 *   and less often (twice the interval per failure, 32 times at most) until
 *   it answers again or says it connected; a daemon without
 *   virDomainGetGuestInfo (VIR_ERR_NO_SUPPORT) is not asked again;
 * - an agent that keeps its port open but does not answer keeps libvirt
 *   waiting (its default agent response timeout is to block): the question
 *   waits in its thread, one debug line says so, and nothing more is asked
 *   until the answer comes.
 */

#define MAX_BACKOFF_SHIFT 5

enum { AGENT_UNKNOWN = -1, AGENT_DISCONNECTED = 0, AGENT_CONNECTED = 1 };

struct _GVirGuestUsers {
    gint ref_count;                 /* atomic: the owner's, a poll's */
    const GVirGuestUsersOwnerOps *ops;

    /* under tickers_lock */
    guint interval;                 /* seconds, 0 = never ask */
    gint64 next_turn;               /* monotonic µs */

    /* set from any thread (libvirt's event thread) */
    GMutex lock;
    gint agent;                     /* AGENT_*, from agent-lifecycle events */
    gboolean reset;                 /* an event said: ask again, from scratch */
    guint generation;               /* one more per reset: older answers are stale */
    gboolean wake;                  /* an event said: the agent is back, no back-off */

    /* the context's thread only */
    gboolean in_flight;
    guint asked_generation;         /* the generation the question in flight was asked in */
    gboolean said_waiting;          /* the question in flight was logged as late */
    gboolean unsupported;
    guint failures;
    guint skip;                     /* ticks left before asking again */
    GVariant *baseline;             /* the last answer, NULL before the first */
};

/* A string of the agent's into dict: repaired if not UTF-8, its bytes under "<key>-bytes". */
static void
dict_insert_agent_string (GVariantDict *dict, const gchar *key, const char *s)
{
    g_autofree gchar *valid = gvir_events_utf8_repair (s);

    g_variant_dict_insert (dict, key, "s", valid ? valid : s);
    if (valid) {
        g_autofree gchar *bytes_key = gvir_events_bytes_key (key);

        g_variant_dict_insert_value (dict, bytes_key, gvir_events_bytes_variant (s));
    }
}

/*
 * One user as the signals and the list give it: a{sv} with user,
 * user_domain, login_time_ms; and user-bytes, user_domain-bytes for names
 * that are not UTF-8, so that two different bad names stay different.
 */
static GVariant *
user_new (const gchar *name, const gchar *domain, gint64 login_time_ms)
{
    GVariantDict dict;

    g_variant_dict_init (&dict, NULL);
    dict_insert_agent_string (&dict, "user", name);
    if (domain)
        dict_insert_agent_string (&dict, "user_domain", domain);
    g_variant_dict_insert (&dict, "login_time_ms", "x", login_time_ms);
    return g_variant_dict_end (&dict);
}

/* The typed parameters of virDomainGetGuestInfo as aa{sv}, in the agent's order. */
GVariant *
_gvir_guest_users_from_params (virTypedParameterPtr params, int nparams)
{
    GVariantBuilder builder;
    unsigned int count = 0;

    g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
    if (virTypedParamsGetUInt (params, nparams, "user.count", &count) < 0)
        count = 0;
    /* each user has a name parameter: the agent's count cannot exceed them */
    count = MIN (count, (unsigned int) MAX (nparams, 0));
    for (unsigned int i = 0; i < count; i++) {
        gchar key[64];
        const char *name = NULL, *domain = NULL;
        unsigned long long login_time = 0;

        g_snprintf (key, sizeof (key), "user.%u.name", i);
        if (virTypedParamsGetString (params, nparams, key, &name) <= 0 || !name)
            continue;
        g_snprintf (key, sizeof (key), "user.%u.domain", i);
        if (virTypedParamsGetString (params, nparams, key, &domain) < 0)
            domain = NULL;
        g_snprintf (key, sizeof (key), "user.%u.login-time", i);
        if (virTypedParamsGetULLong (params, nparams, key, &login_time) < 0)
            login_time = 0;
        g_variant_builder_add_value (&builder, user_new (name, domain, (gint64) login_time));
    }
    virResetLastError ();
    return g_variant_builder_end (&builder);
}

/* What the thread brings back: the users, or libvirt's error. */
typedef struct {
    GVariant *users;
    int code;
    gchar *message;
} Answer;

static void
answer_free (gpointer data)
{
    Answer *answer = data;

    g_clear_pointer (&answer->users, g_variant_unref);
    g_free (answer->message);
    g_free (answer);
}

static void
ask_agent (GTask *task, gpointer source G_GNUC_UNUSED, gpointer data,
           GCancellable *cancellable G_GNUC_UNUSED)
{
    virDomainPtr dom = data;
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    Answer *answer = g_new0 (Answer, 1);
    GVirEventsSigpipeGuard sigpipe;
    int ret;

    _gvir_events_sigpipe_block (&sigpipe);
    ret = virDomainGetGuestInfo (dom, VIR_DOMAIN_GUEST_INFO_USERS, &params, &nparams, 0);
    _gvir_events_sigpipe_unblock (&sigpipe);
    if (ret < 0) {
        answer->code = virGetLastErrorCode ();
        answer->message = g_strdup (virGetLastErrorMessage ());
        virResetLastError ();
    } else {
        answer->users = g_variant_ref_sink (_gvir_guest_users_from_params (params, nparams));
        virTypedParamsFree (params, nparams);
    }
    g_task_return_pointer (task, answer, answer_free);
}

static void
domain_free (gpointer dom)
{
    virDomainFree (dom);
}

/*
 * Asks dom's agent for its users in a thread; the Answer is the task's
 * pointer.  The task holds a reference to dom.
 */
void
_gvir_guest_users_ask (GObject *source, virDomainPtr dom, GCancellable *cancellable,
                      GAsyncReadyCallback callback, gpointer user_data)
{
    g_autoptr(GTask) task = g_task_new (source, cancellable, callback, user_data);

    virDomainRef (dom);
    g_task_set_source_tag (task, _gvir_guest_users_ask);
    g_task_set_task_data (task, dom, domain_free);
    g_task_run_in_thread (task, ask_agent);
}

/* The users of an answer (transfer full), or NULL with error set. */
GVariant *
_gvir_guest_users_ask_finish (GAsyncResult *result, GError **error)
{
    Answer *answer = g_task_propagate_pointer (G_TASK (result), error);
    GVariant *users;

    if (!answer)
        return NULL;
    if (!answer->users) {
        g_set_error (error, GVIR_EVENTS_ERROR, GVIR_EVENTS_ERROR_FAILED,
                     "The guest agent did not tell its users: %s",
                     answer->message ? answer->message : "no reason given");
        answer_free (answer);
        return NULL;
    }
    users = g_steal_pointer (&answer->users);
    answer_free (answer);
    return users;
}

static gboolean
same_user (GVariant *a, GVariant *b)
{
    return g_variant_equal (a, b);
}

static gboolean
contains (GVariant *users, GVariant *user)
{
    gsize n = g_variant_n_children (users);

    for (gsize i = 0; i < n; i++) {
        g_autoptr(GVariant) other = g_variant_get_child_value (users, i);

        if (same_user (other, user))
            return TRUE;
    }
    return FALSE;
}

/* A string of a user as the agent gave it: "<key>-bytes" if there, else key; NULL if neither. */
static gchar *
agent_string (GVariant *user, const gchar *key)
{
    g_autofree gchar *bytes_key = gvir_events_bytes_key (key);
    g_autoptr(GVariant) bytes = g_variant_lookup_value (user, bytes_key, G_VARIANT_TYPE_BYTESTRING);
    const gchar *s = NULL;

    if (bytes) {
        gsize n;
        gconstpointer data = g_variant_get_fixed_array (bytes, &n, 1);

        return g_strndup (data, n);
    }
    return g_variant_lookup (user, key, "&s", &s) ? g_strdup (s) : NULL;
}

/* Emits kind for each user of `of` that `in` lacks. */
static void
emit_missing (GVirGuestUsers *self, gpointer owner, virDomainPtr dom, GVirDomainEventKind kind,
              GVariant *of, GVariant *in)
{
    gsize n = g_variant_n_children (of);

    for (gsize i = 0; i < n; i++) {
        g_autoptr(GVariant) user = g_variant_get_child_value (of, i);
        g_autofree gchar *name = NULL, *domain = NULL;
        gint64 login_time = 0;

        if (contains (in, user))
            continue;
        /* the agent's bytes, so that the emission repairs and keeps them like libvirt's */
        name = agent_string (user, "user");
        domain = agent_string (user, "user_domain");
        g_variant_lookup (user, "login_time_ms", "x", &login_time);
        self->ops->emit (owner, dom, kind, (const GVirEventRaw[]) {
            { .s = name }, { .s = domain }, { .ll = login_time } });
    }
}

static GVirGuestUsers *
guest_users_ref (GVirGuestUsers *self)
{
    g_atomic_int_inc (&self->ref_count);
    return self;
}

static void
guest_users_unref (GVirGuestUsers *self)
{
    if (!g_atomic_int_dec_and_test (&self->ref_count))
        return;
    g_clear_pointer (&self->baseline, g_variant_unref);
    g_mutex_clear (&self->lock);
    g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirGuestUsers, guest_users_unref)

static GVirGuestUsers *
guest_users_new (const GVirGuestUsersOwnerOps *ops)
{
    GVirGuestUsers *self = g_new0 (GVirGuestUsers, 1);

    self->ref_count = 1;
    self->ops = ops;
    self->interval = GVIR_GUEST_USERS_DEFAULT_INTERVAL;
    self->next_turn = g_get_monotonic_time () + self->interval * G_USEC_PER_SEC;
    g_mutex_init (&self->lock);
    self->agent = AGENT_UNKNOWN;
    return self;
}

/* The owner's poller, made the first time (any thread: the first one set stays). */
static GVirGuestUsers *
slot_ensure_poller (GVirGuestUsersSlot *slot, const GVirGuestUsersOwnerOps *ops)
{
    GVirGuestUsers *self = g_atomic_pointer_get (&slot->poller);

    if (self)
        return self;
    self = guest_users_new (ops);
    if (g_atomic_pointer_compare_and_exchange (&slot->poller, NULL, self))
        return self;
    guest_users_unref (self);
    return g_atomic_pointer_get (&slot->poller);
}

static void
answered (GObject *source, GAsyncResult *result, gpointer data)
{
    g_autoptr(GVirGuestUsers) self = data;
    gpointer owner = source;
    Answer *answer = g_task_propagate_pointer (G_TASK (result), NULL);
    GVariant *previous;
    gboolean stale;

    self->in_flight = self->said_waiting = FALSE;
    g_mutex_lock (&self->lock);
    stale = self->asked_generation != self->generation;
    g_mutex_unlock (&self->lock);
    if (stale) {
        /* asked before a start or stop: it may describe the previous boot */
        answer_free (answer);
        return;
    }

    if (!answer->users) {
        if (answer->code == VIR_ERR_NO_SUPPORT) {
            g_debug ("libvirt-gevents: no guest user events for domain %s: %s",
                     virDomainGetName (g_task_get_task_data (G_TASK (result))), answer->message);
            self->unsupported = TRUE;
        } else {
            if (self->failures == 0)
                g_debug ("libvirt-gevents: the guest agent of domain %s did not tell its users "
                         "(%s); asking less often until it does",
                         virDomainGetName (g_task_get_task_data (G_TASK (result))),
                         answer->message);
            self->failures++;
            self->skip = (1u << MIN (self->failures, MAX_BACKOFF_SHIFT)) - 1;
        }
        answer_free (answer);
        return;
    }

    self->failures = 0;
    previous = self->baseline;
    self->baseline = g_steal_pointer (&answer->users);
    if (previous && self->ops->is_listening (owner)) {
        virDomainPtr dom = g_task_get_task_data (G_TASK (result));

        emit_missing (self, owner, dom, GVIR_DOMAIN_EVENT_KIND_GUEST_USER_LOGOFF, previous,
                      self->baseline);
        emit_missing (self, owner, dom, GVIR_DOMAIN_EVENT_KIND_GUEST_USER_LOGON, self->baseline,
                      previous);
    }
    g_clear_pointer (&previous, g_variant_unref);
    answer_free (answer);
}

/* One turn of an owner's count, in its main context. */
static void
turn (gpointer owner, GVirGuestUsersSlot *slot, const GVirGuestUsersOwnerOps *ops)
{
    GVirGuestUsers *self = g_atomic_pointer_get (&slot->poller);
    virDomainPtr dom = NULL;
    guint generation;
    gint agent;
    int state;

    if (ops->is_gone (owner))
        return;

    /* what the agent said before nobody listened is no baseline */
    if (!ops->is_listening (owner)) {
        if (self) {
            g_clear_pointer (&self->baseline, g_variant_unref);
            self->failures = self->skip = 0;
        }
        return;
    }
    /* the first handler: from now on this owner has a poller */
    if (!self)
        self = slot_ensure_poller (slot, ops);

    g_mutex_lock (&self->lock);
    if (self->reset)
        g_clear_pointer (&self->baseline, g_variant_unref);
    if (self->reset || self->wake)
        self->failures = self->skip = 0;
    self->reset = self->wake = FALSE;
    agent = self->agent;
    generation = self->generation;
    g_mutex_unlock (&self->lock);

    state = ops->get_state (owner);
    /* libvirt waits for as long as the agent stays silent (its default response timeout) */
    if (self->in_flight && !self->said_waiting) {
        g_debug ("libvirt-gevents: the guest agent of a domain did not tell its users yet; "
                 "no more questions until it does");
        self->said_waiting = TRUE;
    }
    if (self->in_flight || self->unsupported || agent == AGENT_DISCONNECTED ||
        (state >= 0 && state != VIR_DOMAIN_RUNNING))
        return;
    if (self->skip > 0) {
        self->skip--;
        return;
    }

    dom = ops->dup_handle (owner);
    if (!dom)
        return;
    self->in_flight = TRUE;
    self->asked_generation = generation;
    _gvir_guest_users_ask (G_OBJECT (owner), dom, NULL, answered, guest_users_ref (self));
    virDomainFree (dom);
}

/*
 * The tickers: one seconds timer per main context with owners in it, which
 * asks the owners' ops for them at each tick (no list of its own: an owner
 * costs the ticker nothing) and turns the ones that are due.  A ticker
 * that finds no owner stops; the next owner made there starts one.
 */
typedef struct {
    /*
     * NULL: the global default one.  Not a reference: that would be a cycle
     * through the source.  A context finalized destroys the source, which
     * frees the ticker.
     */
    GMainContext *context;
    const GVirGuestUsersOwnerOps *ops;
    guint ticks;                    /* for the owners without a poller */
} Ticker;

static GMutex tickers_lock;
static GPtrArray *tickers;          /* Ticker; as many as contexts: a handful */

static void
ticker_free (Ticker *ticker)
{
    g_mutex_lock (&tickers_lock);
    g_ptr_array_remove_fast (tickers, ticker);  /* there still if its context died */
    g_mutex_unlock (&tickers_lock);
    g_free (ticker);
}

static gboolean
ticker_tick (gpointer data)
{
    Ticker *ticker = data;
    const GVirGuestUsersOwnerOps *ops = ticker->ops;
    g_autoptr(GPtrArray) owners = ops->list (ticker->context);
    g_autoptr(GPtrArray) due = g_ptr_array_new ();
    gint64 now = g_get_monotonic_time ();
    gboolean empty = owners->len == 0;
    guint ticks = ticker->ticks++;

    g_mutex_lock (&tickers_lock);
    /* removing the source frees the ticker, after this callback; a new owner starts another */
    if (empty)
        g_ptr_array_remove_fast (tickers, ticker);
    for (guint i = 0; i < owners->len; i++) {
        gpointer owner = g_ptr_array_index (owners, i);
        GVirGuestUsers *poller = g_atomic_pointer_get (&ops->slot (owner)->poller);

        if (poller) {
            if (poller->interval > 0 && now >= poller->next_turn) {
                poller->next_turn = now + poller->interval * G_USEC_PER_SEC;
                g_ptr_array_add (due, owner);
            }
        } else if ((ticks + i) % GVIR_GUEST_USERS_DEFAULT_INTERVAL == 0) {
            /* without a poller, the default interval, spread over the ticks */
            g_ptr_array_add (due, owner);
        }
    }
    g_mutex_unlock (&tickers_lock);

    /* outside the lock: a turn runs handler lookups and starts a GTask */
    for (guint i = 0; i < due->len; i++) {
        gpointer owner = g_ptr_array_index (due, i);

        turn (owner, ops->slot (owner), ops);
    }
    return empty ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

/* Under tickers_lock. */
static void
ticker_ensure (GMainContext *context, const GVirGuestUsersOwnerOps *ops)
{
    g_autoptr(GSource) source = NULL;
    Ticker *ticker;

    if (!tickers)
        tickers = g_ptr_array_new ();
    for (guint i = 0; i < tickers->len; i++) {
        if (((Ticker *) g_ptr_array_index (tickers, i))->context == context)
            return;
    }
    source = g_timeout_source_new_seconds (1);
    ticker = g_new0 (Ticker, 1);
    ticker->context = context;
    ticker->ops = ops;
    g_source_set_static_name (source, "libvirt-gevents guest users");
    g_source_set_callback (source, ticker_tick, ticker, (GDestroyNotify) ticker_free);
    g_ptr_array_add (tickers, ticker);
    g_source_attach (source, context);
}

void
_gvir_guest_users_slot_init (GVirGuestUsersSlot *slot, GMainContext *context,
                             const GVirGuestUsersOwnerOps *ops)
{
    slot->poller = NULL;
    g_mutex_lock (&tickers_lock);
    ticker_ensure (context, ops);
    g_mutex_unlock (&tickers_lock);
}

/* The owner is disposed: a poll's answer may still come, to nobody. */
void
_gvir_guest_users_slot_clear (GVirGuestUsersSlot *slot)
{
    GVirGuestUsers *poller = g_atomic_pointer_exchange (&slot->poller, NULL);

    if (poller)
        guest_users_unref (poller);
}

guint
_gvir_guest_users_slot_get_interval (GVirGuestUsersSlot *slot)
{
    GVirGuestUsers *poller = g_atomic_pointer_get (&slot->poller);
    guint interval = GVIR_GUEST_USERS_DEFAULT_INTERVAL;

    if (poller) {
        g_mutex_lock (&tickers_lock);
        interval = poller->interval;
        g_mutex_unlock (&tickers_lock);
    }
    return interval;
}

/* A new interval restarts the count: the next turn comes after it. */
void
_gvir_guest_users_slot_set_interval (GVirGuestUsersSlot *slot, const GVirGuestUsersOwnerOps *ops,
                                     guint seconds)
{
    GVirGuestUsers *poller = slot_ensure_poller (slot, ops);

    g_mutex_lock (&tickers_lock);
    poller->interval = seconds;
    poller->next_turn = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;
    g_mutex_unlock (&tickers_lock);
}

/*
 * After a reconnection: whatever the agent did during the outage went
 * unseen, so it is asked again at once, without back-off.  The users it
 * knew stay the baseline: who logged on meanwhile is told as a logon.
 */
void
_gvir_guest_users_slot_resync (GVirGuestUsersSlot *slot)
{
    GVirGuestUsers *self = g_atomic_pointer_get (&slot->poller);

    if (!self)
        return;
    g_mutex_lock (&self->lock);
    self->agent = AGENT_UNKNOWN;
    self->wake = TRUE;
    g_mutex_unlock (&self->lock);
    /* the context's own: a daemon upgraded meanwhile may answer now */
    self->unsupported = FALSE;
}

/*
 * What an event of the domain says about its agent (any thread: libvirt's
 * event thread calls this before the emission): agent-lifecycle, and the
 * lifecycle events started and stopped.  Nobody asked the agent before a
 * poller exists; one is made here when a handler listens already, so that
 * what the agent said before the first turn is not lost.
 */
void
_gvir_guest_users_slot_observe (GVirGuestUsersSlot *slot, gpointer owner,
                                const GVirGuestUsersOwnerOps *ops, const GVirEventEmission *em)
{
    GVirGuestUsers *self = g_atomic_pointer_get (&slot->poller);

    if (!self) {
        if (!ops->is_listening (owner))
            return;
        self = slot_ensure_poller (slot, ops);
    }
    g_mutex_lock (&self->lock);
    if (em->spec->kind == GVIR_DOMAIN_EVENT_KIND_AGENT_LIFECYCLE) {
        gboolean connected = g_value_get_enum (&em->values[1]) ==
            GVIR_DOMAIN_AGENT_STATE_CONNECTED;

        self->agent = connected ? AGENT_CONNECTED : AGENT_DISCONNECTED;
        /* the agent is back: no more back-off; the users it knew are still the baseline */
        self->wake = connected;
    } else {
        gint event = g_value_get_enum (&em->values[1]);

        /* a new boot: a new utmp, a new baseline, an agent not there yet */
        if (event == GVIR_DOMAIN_LIFECYCLE_EVENT_STARTED ||
            event == GVIR_DOMAIN_LIFECYCLE_EVENT_STOPPED) {
            self->reset = TRUE;
            self->generation++;
            self->agent = AGENT_UNKNOWN;
        }
    }
    g_mutex_unlock (&self->lock);
}
