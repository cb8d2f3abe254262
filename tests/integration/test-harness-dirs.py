#!/usr/bin/python3
# test-harness-dirs.py: hv-harness's run directories and their sweep, as
# root, against files any local user can plant in /tmp.
#
#   test-harness-dirs.py HV_HARNESS
#
# Everything happens in a private TMPDIR (tempfile.gettempdir() is where
# the harness makes and sweeps its directories), so the runs of the
# harness that others start on this machine meanwhile are never touched.
# Each sweep runs in a child with a time limit: a sweep that blocks on a
# planted FIFO is a failure, not a hung test.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import fcntl
import importlib.machinery
import importlib.util
import os
import shutil
import stat
import subprocess
import sys
import tempfile

HARNESS = os.path.abspath(sys.argv[1])
SKIP = 77
NOBODY = 65534


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def load_harness():
    loader = importlib.machinery.SourceFileLoader("hv_harness", HARNESS)
    spec = importlib.util.spec_from_loader("hv_harness", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


SWEEP = ("import importlib.machinery, importlib.util, sys\n"
         "l = importlib.machinery.SourceFileLoader('h', sys.argv[1])\n"
         "m = importlib.util.module_from_spec(importlib.util.spec_from_loader('h', l))\n"
         "l.exec_module(m)\n"
         "m.sweep_stale_dirs()\n")


def sweep(base):
    """Another run's sweep, in a child: its stderr."""
    try:
        r = subprocess.run([sys.executable, "-c", SWEEP, HARNESS], capture_output=True,
                           text=True, timeout=20, env=dict(os.environ, TMPDIR=base))
    except subprocess.TimeoutExpired:
        raise AssertionError("the sweep hung (20 s)")
    print(r.stderr, end="", flush=True)
    check(r.returncode == 0, f"the sweep failed: {r.returncode} {r.stderr}")
    return r.stderr


def stale(base, name, lock_uid=0, dir_uid=0):
    """A directory as a run killed with SIGKILL leaves it."""
    d = os.path.join(base, name)
    os.mkdir(d, 0o755)
    with open(os.path.join(d, "harness.lock"), "w"):
        pass
    os.mkdir(os.path.join(d, "log"))
    os.chown(os.path.join(d, "harness.lock"), lock_uid, lock_uid)
    os.chown(d, dir_uid, dir_uid)
    return d


def main():
    if os.geteuid() != 0:
        print("test-harness-dirs: needs root (the harness's sweep runs as root; "
              "files of another user are planted with chown)", file=sys.stderr)
        return 1 if os.environ.get("GVIR_EVENTS_REQUIRE_HYPERVISOR") == "1" else SKIP
    base = tempfile.mkdtemp(prefix="test-harness-dirs-")
    try:
        os.chmod(base, 0o1777)          # like /tmp: anyone may plant files
        os.environ["TMPDIR"] = base
        tempfile.tempdir = None
        harness = load_harness()
        check(tempfile.gettempdir() == base, "TMPDIR not honoured")

        # 1. planted files: each left alone with a line saying why, none
        #    blocks the sweep, none is followed
        target = os.path.join(base, "victim")
        os.mkdir(target)
        with open(os.path.join(target, "precious"), "w") as f:
            f.write("keep me")
        fifo = os.path.join(base, "gvir-events-fifo")
        os.mkdir(fifo, 0o755)
        os.mkfifo(os.path.join(fifo, "harness.lock"))
        os.chown(fifo, NOBODY, NOBODY)
        fifo_root = os.path.join(base, "gvir-events-fiforoot")
        os.mkdir(fifo_root, 0o755)
        os.mkfifo(os.path.join(fifo_root, "harness.lock"))
        lock_link = os.path.join(base, "gvir-events-locklink")
        os.mkdir(lock_link, 0o755)
        open(os.path.join(target, "harness.lock"), "w").close()
        os.symlink(os.path.join(target, "harness.lock"), os.path.join(lock_link, "harness.lock"))
        dir_link = os.path.join(base, "gvir-events-dirlink")
        os.symlink(target, dir_link)
        foreign_dir = stale(base, "gvir-events-foreigndir", dir_uid=NOBODY)
        foreign_lock = stale(base, "gvir-events-foreignlock", lock_uid=NOBODY)
        really_stale = stale(base, "gvir-events-stale")

        err = sweep(base)
        for d, why in ((fifo, "owned by uid 65534"), (fifo_root, "not a regular file"),
                       (lock_link, "symbolic link"), (dir_link, "not a directory"),
                       (foreign_dir, "owned by uid 65534"), (foreign_lock, "owned by uid 65534")):
            check(os.path.lexists(d), f"{d} was removed")
            check(any(d in line and "left alone" in line and why in line for line in err.splitlines()),
                  f"no line says why {d} is left alone ({why}): {err!r}")
        check(stat.S_ISFIFO(os.lstat(os.path.join(fifo_root, "harness.lock")).st_mode), "the FIFO went")
        with open(os.path.join(target, "precious")) as f:
            check(f.read() == "keep me", "the symlink's target was touched")
        check(os.path.exists(os.path.join(target, "harness.lock")), "a symlinked lock's target went")
        check(not os.path.lexists(really_stale), f"{really_stale}, stale, was not removed")

        # 2. a live run's directory (its lock held by another process) stays
        d, lock = harness.make_run_dir()
        st = os.stat(d)
        check(st.st_uid == os.geteuid() and stat.S_IMODE(st.st_mode) == 0o755, f"{d}: {st}")
        lst = os.lstat(os.path.join(d, "harness.lock"))
        check(stat.S_ISREG(lst.st_mode) and lst.st_uid == os.geteuid(), f"{d}/harness.lock: {lst}")
        check(os.path.dirname(d) == base, f"{d} not in TMPDIR")
        sweep(base)
        check(os.path.isdir(d), "a live run's directory was swept")
        os.close(lock)
        sweep(base)
        check(not os.path.lexists(d), "a finished run's directory (lock free) was not swept")

        # 3. no window: another run's sweep between the directory's creation
        #    and its lock must not remove it.  Every step of make_run_dir
        #    that touches the file system is followed by a sweep.
        real = {name: getattr(os, name) for name in ("open", "chmod", "rename", "mkdir")}
        real_flock = fcntl.flock
        swept_at = []

        def after(name, fn):
            def wrapper(*a, **kw):
                r = fn(*a, **kw)
                swept_at.append(name)
                sweep(base)
                return r
            return wrapper
        for name, fn in real.items():
            setattr(os, name, after(name, fn))
        fcntl.flock = after("flock", real_flock)
        try:
            d, lock = harness.make_run_dir()
        finally:
            for name, fn in real.items():
                setattr(os, name, fn)
            fcntl.flock = real_flock
        check(swept_at, "make_run_dir touched nothing the test could interleave with")
        check(os.path.isdir(d) and os.path.exists(os.path.join(d, "harness.lock")),
              f"a sweep after one of {swept_at} removed the run's directory {d}")
        os.close(lock)
        print("test-harness-dirs: ok (sweeps interleaved after " + ", ".join(swept_at) + ")")
        return 0
    finally:
        subprocess.run(["rm", "-rf", "--one-file-system", base])


if __name__ == "__main__":
    sys.exit(main())
