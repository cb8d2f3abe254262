/*
 * bench-clock.h: the clocks both benchmarks read.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <time.h>
#include <glib.h>

/* CLOCK_MONOTONIC for wall time, CLOCK_THREAD_CPUTIME_ID for this thread's CPU. */
static inline gint64
clock_ns (clockid_t clock)
{
    struct timespec ts;

    clock_gettime (clock, &ts);
    return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static inline gint64
now_ns (void)
{
    return clock_ns (CLOCK_MONOTONIC);
}

static inline gint64
cpu_ns (void)
{
    return clock_ns (CLOCK_THREAD_CPUTIME_ID);
}
