/*
 * gvir-domain-state.c: the state a lifecycle event leaves a domain in
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "gvir-domain-state-private.h"

void (*_gvir_domain_state_test_hook) (GVirDomainEvents *companion, int state, int reason);

/*
 * libvirt's lifecycle details and its state reasons are two numberings of
 * the same facts; the reason is the one virDomainGetState() would give
 * right after the event.  A detail a newer daemon sends that this table
 * does not know leaves the state known and the reason "unknown" (0).
 */
gboolean
_gvir_domain_state_after_event (int event, int detail, int *state, int *reason)
{
    *reason = 0;
    switch (event) {
    case VIR_DOMAIN_EVENT_STARTED:
        *state = VIR_DOMAIN_RUNNING;
        switch (detail) {
        case VIR_DOMAIN_EVENT_STARTED_BOOTED:        *reason = VIR_DOMAIN_RUNNING_BOOTED; break;
        case VIR_DOMAIN_EVENT_STARTED_MIGRATED:      *reason = VIR_DOMAIN_RUNNING_MIGRATED; break;
        case VIR_DOMAIN_EVENT_STARTED_RESTORED:      *reason = VIR_DOMAIN_RUNNING_RESTORED; break;
        case VIR_DOMAIN_EVENT_STARTED_FROM_SNAPSHOT: *reason = VIR_DOMAIN_RUNNING_FROM_SNAPSHOT; break;
        case VIR_DOMAIN_EVENT_STARTED_WAKEUP:        *reason = VIR_DOMAIN_RUNNING_WAKEUP; break;
        default: break;
        }
        return TRUE;
    case VIR_DOMAIN_EVENT_SUSPENDED:
        *state = VIR_DOMAIN_PAUSED;
        switch (detail) {
        case VIR_DOMAIN_EVENT_SUSPENDED_PAUSED:          *reason = VIR_DOMAIN_PAUSED_USER; break;
        case VIR_DOMAIN_EVENT_SUSPENDED_MIGRATED:        *reason = VIR_DOMAIN_PAUSED_MIGRATION; break;
        case VIR_DOMAIN_EVENT_SUSPENDED_IOERROR:         *reason = VIR_DOMAIN_PAUSED_IOERROR; break;
        case VIR_DOMAIN_EVENT_SUSPENDED_WATCHDOG:        *reason = VIR_DOMAIN_PAUSED_WATCHDOG; break;
        case VIR_DOMAIN_EVENT_SUSPENDED_RESTORED:        *reason = VIR_DOMAIN_PAUSED_FROM_SNAPSHOT; break;
        case VIR_DOMAIN_EVENT_SUSPENDED_FROM_SNAPSHOT:   *reason = VIR_DOMAIN_PAUSED_FROM_SNAPSHOT; break;
        case VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY:        *reason = VIR_DOMAIN_PAUSED_POSTCOPY; break;
        case VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY_FAILED: *reason = VIR_DOMAIN_PAUSED_POSTCOPY_FAILED; break;
        default: break;
        }
        return TRUE;
    case VIR_DOMAIN_EVENT_RESUMED:
        *state = VIR_DOMAIN_RUNNING;
        switch (detail) {
        case VIR_DOMAIN_EVENT_RESUMED_UNPAUSED:        *reason = VIR_DOMAIN_RUNNING_UNPAUSED; break;
        case VIR_DOMAIN_EVENT_RESUMED_MIGRATED:        *reason = VIR_DOMAIN_RUNNING_MIGRATED; break;
        case VIR_DOMAIN_EVENT_RESUMED_FROM_SNAPSHOT:   *reason = VIR_DOMAIN_RUNNING_FROM_SNAPSHOT; break;
        case VIR_DOMAIN_EVENT_RESUMED_POSTCOPY:        *reason = VIR_DOMAIN_RUNNING_POSTCOPY; break;
        case VIR_DOMAIN_EVENT_RESUMED_POSTCOPY_FAILED: *reason = VIR_DOMAIN_RUNNING_POSTCOPY_FAILED; break;
        default: break;
        }
        return TRUE;
    case VIR_DOMAIN_EVENT_STOPPED:
        *state = VIR_DOMAIN_SHUTOFF;
        switch (detail) {
        case VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN:      *reason = VIR_DOMAIN_SHUTOFF_SHUTDOWN; break;
        case VIR_DOMAIN_EVENT_STOPPED_DESTROYED:     *reason = VIR_DOMAIN_SHUTOFF_DESTROYED; break;
        case VIR_DOMAIN_EVENT_STOPPED_CRASHED:       *reason = VIR_DOMAIN_SHUTOFF_CRASHED; break;
        case VIR_DOMAIN_EVENT_STOPPED_MIGRATED:      *reason = VIR_DOMAIN_SHUTOFF_MIGRATED; break;
        case VIR_DOMAIN_EVENT_STOPPED_SAVED:         *reason = VIR_DOMAIN_SHUTOFF_SAVED; break;
        case VIR_DOMAIN_EVENT_STOPPED_FAILED:        *reason = VIR_DOMAIN_SHUTOFF_FAILED; break;
        case VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT: *reason = VIR_DOMAIN_SHUTOFF_FROM_SNAPSHOT; break;
        default: break;
        }
        return TRUE;
    case VIR_DOMAIN_EVENT_PMSUSPENDED:
        *state = VIR_DOMAIN_PMSUSPENDED;
        return TRUE;
    case VIR_DOMAIN_EVENT_CRASHED:
        if (detail == VIR_DOMAIN_EVENT_CRASHED_CRASHLOADED) {
            /* the guest's crash kernel runs */
            *state = VIR_DOMAIN_RUNNING;
            *reason = VIR_DOMAIN_RUNNING_CRASHED;
        } else {
            *state = VIR_DOMAIN_CRASHED;
            *reason = detail == VIR_DOMAIN_EVENT_CRASHED_PANICKED ? VIR_DOMAIN_CRASHED_PANICKED : 0;
        }
        return TRUE;
    default:
        /* defined, undefined, shutdown (the guest began it; stopped follows) */
        return FALSE;
    }
}
