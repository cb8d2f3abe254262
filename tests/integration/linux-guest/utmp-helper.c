/*
 * utmp-helper: logs a user in or out of the Linux test guest's utmp, as a
 * login program would, so that its guest agent reports the session.
 *
 *   utmp-helper login USER LINE
 *   utmp-helper logout USER LINE
 *
 * LINE is the terminal name (`pts/1`): one session per line.  Linked
 * statically: the guest's initramfs has no C library of its own.
 *
 * Copyright (C) 2026 The libvirt-gevents authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include <utmpx.h>

int
main (int argc, char **argv)
{
    struct utmpx ut;
    struct timeval now;
    int login;

    if (argc != 4 || (strcmp (argv[1], "login") != 0 && strcmp (argv[1], "logout") != 0)) {
        fprintf (stderr, "usage: %s login|logout USER LINE\n", argv[0]);
        return 2;
    }
    login = strcmp (argv[1], "login") == 0;

    memset (&ut, 0, sizeof (ut));
    ut.ut_type = login ? USER_PROCESS : DEAD_PROCESS;
    ut.ut_pid = getpid ();
    strncpy (ut.ut_line, argv[3], sizeof (ut.ut_line) - 1);
    /* the id names the entry logout replaces: the line's last characters */
    strncpy (ut.ut_id, argv[3] + (strlen (argv[3]) > 4 ? strlen (argv[3]) - 4 : 0),
             sizeof (ut.ut_id));
    if (login)
        strncpy (ut.ut_user, argv[2], sizeof (ut.ut_user) - 1);
    gettimeofday (&now, NULL);
    ut.ut_tv.tv_sec = now.tv_sec;
    ut.ut_tv.tv_usec = now.tv_usec;

    setutxent ();
    if (!pututxline (&ut)) {
        perror ("pututxline");
        return 1;
    }
    endutxent ();
    return 0;
}
