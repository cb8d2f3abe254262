#!/usr/bin/python3
# test-cli.py: gvir-events, from the outside, as its users run it.
#
#   test-cli.py GVIR_EVENTS errors   every bad input, its one line and exit status
#   test-cli.py GVIR_EVENTS json     JSON lines for events another process makes
#   test-cli.py GVIR_EVENTS human    one human line per event family
#   test-cli.py GVIR_EVENTS hosts    ten daemons, one killed and started again
#   test-cli.py GVIR_EVENTS hostile  hostile names and bytes: text lines checked byte by byte
#   test-cli.py GVIR_EVENTS demo     `gvir-events demo`, end to end
#   test-cli.py GVIR_EVENTS trying-it  docs/gvir-events.md's "Trying it", as pasted
#   test-cli.py GVIR_EVENTS service  the only host down at start, then up; a closed pipe
#   test-cli.py GVIR_EVENTS seq      seq 1, 2, 3... across a daemon restart; outage_s
#   test-cli.py GVIR_EVENTS cloudevents  the demo's guests, hostile names and a restart as
#                                    CloudEvents lines, each through the CNCF JS SDK
#   test-cli.py GVIR_EVENTS journal  --journal into a real systemd-journald (private
#                                    namespaces), read back with journalctl, every field
#   test-cli.py GVIR_EVENTS units    systemd-analyze verify on gvir-events(@).service
#
# All but `errors` run under tests/integration/hv-harness (json and human
# on its daemon's test driver, hosts with --daemons 10); the events are made
# by this process through libvirt's Python binding, the monitor is a child.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import ctypes
import datetime
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time

import libvirt

TOOL = os.path.abspath(sys.argv[1])
SKIP = 77
PREFIX = os.environ.get("GVIR_EVENTS_DOMAIN_PREFIX", "gvirev-")
TIMEOUT = 30
libvirt.registerErrorHandler(lambda ctx, err: None, None)


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def not_under_harness(what):
    print(f"test-cli: {what} runs under tests/integration/hv-harness", file=sys.stderr)
    return 1 if os.environ.get("GVIR_EVENTS_REQUIRE_HYPERVISOR") == "1" else SKIP


def socket_uri(sock):
    return f"test+unix:///default?socket={sock}"


class Monitor:
    """gvir-events monitor in a child, its stdout lines in a queue."""

    def __init__(self, *args):
        # GVIR_EVENTS_TOOL_WRAPPER: valgrind, say (the cli-json-memcheck test)
        wrapper = os.environ.get("GVIR_EVENTS_TOOL_WRAPPER", "").split()
        self.proc = subprocess.Popen([*wrapper, TOOL, "monitor", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True,
                                     env=dict(os.environ, NO_COLOR="1"))
        self.lines = queue.Queue()
        self.seen = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def next(self, timeout=TIMEOUT):
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no line in {timeout} s; so far: {self.seen[-5:]}")
        if line is None:
            raise AssertionError(f"the monitor exited: {self.proc.wait()} "
                                 f"{self.proc.stderr.read()}; so far: {self.seen[-5:]}")
        self.seen.append(line)
        print("  >", line, flush=True)
        return line

    def wait_for(self, match, timeout=TIMEOUT):
        """Reads lines until match(line) is true; returns the lines read."""
        deadline = time.monotonic() + timeout
        got = []
        while True:
            left = deadline - time.monotonic()
            check(left > 0, "timed out waiting; last lines: " + repr(got[-5:]))
            line = self.next(left)
            got.append(line)
            if match(line):
                return got

    def stop(self):
        """SIGINT: a clean exit 0, nothing on stderr."""
        self.proc.send_signal(signal.SIGINT)
        status = self.proc.wait(timeout=10)
        err = self.proc.stderr.read()
        check(status == 0, f"SIGINT: exit status {status}, stderr {err}")
        check(err == "", f"SIGINT: stderr {err!r}")


def jline(line):
    event = json.loads(line)
    check(set(event) >= {"time", "connection", "event", "data"}, f"keys of {line}")
    check(event["time"].endswith("Z"), f"time in UTC: {event['time']}")
    datetime.datetime.strptime(event["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
    return event


# --------------------------------------------------------------------------
# errors: no hypervisor needed

ERRORS = [
    # arguments, exit status, what stderr's one line says
    (["monitor", "-c", "test:///default", "--event", "no-such-kind"], 2,
     r'^gvir-events: unknown event kind "no-such-kind" \(known: lifecycle, .*io-error.*\)$'),
    (["monitor", "-c", "test:///default", "--event", "reboot::vda"], 2,
     r'^gvir-events: event kind "reboot" has no detail to filter on$'),
    (["monitor", "-c", "test:///default", "--event", "lifecycle::exploded"], 2,
     r'^gvir-events: "exploded" is not a detail of lifecycle$'),
    (["monitor", "-c", "::not a uri::"], 2, r'^gvir-events: malformed URI "::not a uri::"$'),
    (["monitor", "--no-such-option"], 2, r"^gvir-events: Unknown option --no-such-option$"),
    # every number checked: not finite, negative, fractional where a count is
    # meant, past the documented maximum (--timeout 4294968 is no error: see
    # test_errors), each one line and status 2
    *[(["monitor", "-c", "test:///default", "--timeout", v], 2,
       r'^gvir-events: --timeout takes a number of seconds from 0 to 4294967295, not "' + re.escape(v) + '"$')
      for v in ("1e300", "inf", "-inf", "nan", "-1", "-0.5", "4294967296", "1e10", "", "5s", " 5", "0x10")],
    *[(["monitor", "-c", "test:///default", "--count", v], 2,
       r'^gvir-events: --count takes a number of events from 0 to 2147483647, not "' + re.escape(v) + '"$')
      for v in ("-3", "-1", "many", "2147483648", "1e300", "inf", "nan", "1.5", "")],
    *[(["monitor", "-c", "test:///default", "--guest-users-interval", v], 2,
       r'^gvir-events: --guest-users-interval takes a number of seconds from 0 \(never\) to 4294967295, not "'
       + re.escape(v) + '"$')
      for v in ("-5", "-1", "4294967296", "18446744073709551616", "1e300", "inf", "nan", "2.5", "")],
    (["monitor", "extra"], 2, r'^gvir-events: unexpected argument "extra"$'),
    (["monitor", "-c", "test:///default", "--format", "xml"], 2,
     r'^gvir-events: --format takes text, json or cloudevents, not "xml"$'),
    (["monitor", "-c", "test:///default", "--json", "--format", "cloudevents"], 2,
     r"^gvir-events: --json is --format json: not with --format cloudevents$"),
    (["monitor", "-c", "test:///default", "--journal", "--format", "json"], 2,
     r"^gvir-events: --journal writes entries, not lines: not with --format$"),
    (["monitor", "-c", "test:///default", "--journal", "--json"], 2,
     r"^gvir-events: --journal writes entries, not lines: not with --json$"),
    (["frobnicate"], 2, r'^gvir-events: unknown command "frobnicate" \(monitor, demo\)$'),
    (["demo", "now"], 2, r"^gvir-events: demo takes no arguments$"),
    (["monitor", "-c", "test:///default", "--domain", "no-such-domain"], 4,
     r"^gvir-events: no domain named no-such-domain on test:///default$"),
]


def tool_for_nobody():
    """The tool and the library copied where nobody can read them: a build
    tree under root's home (mode 0700) is out of nobody's reach."""
    import glob
    import shutil
    import tempfile
    import atexit
    tmp = tempfile.mkdtemp(prefix="gvir-events-nobody-")
    atexit.register(shutil.rmtree, tmp, True)
    os.chmod(tmp, 0o755)
    shutil.copy(TOOL, tmp)
    libdir = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(TOOL))), "libvirt-gevents")
    for lib in glob.glob(os.path.join(libdir, "libvirt-gevents-1.0.so*[0-9]")):
        shutil.copy(lib, tmp)
    env = dict(os.environ, HOME="/nonexistent", LD_LIBRARY_PATH=tmp)
    return os.path.join(tmp, os.path.basename(TOOL)), env


def test_errors():
    for args, status, pattern in ERRORS:
        r = subprocess.run([TOOL, *args], capture_output=True, text=True, timeout=30)
        print(f"  {' '.join(args)} -> {r.returncode} {r.stderr.strip()}", flush=True)
        check(r.returncode == status, f"{args}: status {r.returncode}, not {status}")
        check(r.stdout == "", f"{args}: stdout {r.stdout!r}")
        lines = r.stderr.splitlines()
        check(len(lines) == 1 and re.match(pattern, lines[0]), f"{args}: stderr {r.stderr!r}")

    # the good ends: --timeout, SIGINT, SIGTERM, --help, --version; all 0, quietly
    start = time.monotonic()
    r = subprocess.run([TOOL, "monitor", "-c", "test:///default", "--timeout", "0.5"],
                       capture_output=True, text=True, timeout=30)
    check(r.returncode == 0 and r.stdout == "" and r.stderr == "", f"--timeout: {r}")
    check(time.monotonic() - start < 10, "--timeout 0.5 took too long")
    # up to the documented maxima every value works: --timeout 4294968 (a
    # thousand times it overflowed 32 bits: it ended after 0.8 s) and the
    # maximum run until SIGINT; the other maxima are accepted
    for args in (["--timeout", "4294968"], ["--timeout", "4294967295"], ["--timeout", "4294967295.0"],
                 ["--count", "2147483647"], ["--guest-users-interval", "4294967295"]):
        m = Monitor("-c", "test:///default", *args)
        time.sleep(1.5)
        if m.proc.poll() is not None:
            raise AssertionError(f"{args}: ended at once, status {m.proc.returncode}, "
                                 f"stderr {m.proc.stderr.read()!r}")
        m.stop()
    for args in (["--json", "--format", "json"], ["--format", "text"], ["--format", "cloudevents"]):
        r = subprocess.run([TOOL, "monitor", "-c", "test:///default", "--timeout", "0.3", *args],
                           capture_output=True, text=True, timeout=30)
        check(r.returncode == 0 and r.stderr == "", f"{args}: {r}")
    r = subprocess.run([TOOL, "monitor", "-c", "test:///default", "--count", "2147483647",
                        "--guest-users-interval", "0", "--timeout", "0.3"],
                       capture_output=True, text=True, timeout=30)
    check(r.returncode == 0 and r.stderr == "", f"--count/--guest-users-interval/--timeout: {r}")
    for sig in (signal.SIGINT, signal.SIGTERM):
        m = Monitor("-c", "test:///default", "--domain", "test")
        time.sleep(0.5)
        m.proc.send_signal(sig)
        check(m.proc.wait(timeout=10) == 0, f"{sig.name}: status {m.proc.returncode}")
        check(m.proc.stderr.read() == "", f"{sig.name}: stderr")
    for args, want in ((["--help"], "gvir-events monitor"), (["monitor", "--help"], "Exit status:"),
                       (["demo", "--help"], "gvir-events demo"), (["--version"], "gvir-events ")):
        r = subprocess.run([TOOL, *args], capture_output=True, text=True, timeout=30)
        check(r.returncode == 0 and want in r.stdout and r.stderr == "", f"{args}: {r}")
    # several hosts: one unreachable is a line, not the end
    r = subprocess.run([TOOL, "monitor", "--json", "-c", "test:///default", "-c",
                        socket_uri("/nonexistent/sock"), "--timeout", "0.5"],
                       capture_output=True, text=True, timeout=30)
    check(r.returncode == 0 and r.stderr == "", f"one host down: {r}")
    down = jline(r.stdout.splitlines()[0])
    check(down["event"] == "disconnected" and down["data"]["reason"] == "unreachable"
          and down["connection"] == socket_uri("/nonexistent/sock"), f"one host down: {down}")
    # the demo without hypervisor, run as nobody: says what is missing, shows lifecycle
    if os.geteuid() == 0:
        nobody_tool, nobody_env = tool_for_nobody()
        r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                            nobody_tool, "demo"], capture_output=True, text=True, timeout=60,
                           env=nobody_env)
        print(r.stdout, r.stderr)
        lines = r.stdout.splitlines()
        check(r.returncode == 0 and r.stderr == "", f"demo as nobody: {r}")
        check(lines[0].startswith("demo: real guests need root"), f"demo as nobody: {lines[0]}")
        check(lines[-1] == "demo: 6 events: lifecycle 6", f"demo as nobody: {lines[-1]}")
        check(any(re.search(r"  demo  lifecycle suspended \(paused\)$", l) for l in lines),
              "demo as nobody: no suspended line")
        # a pipe closed early (| head -n 2) ends it quietly, status 1 (see test_service)
        p = subprocess.Popen(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                              nobody_tool, "demo"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=nobody_env)
        p.stdout.readline()
        p.stdout.readline()
        p.stdout.close()
        check(p.wait(timeout=30) == 1, f"closed pipe: status {p.returncode}")
        check(p.stderr.read() == b"", "closed pipe: stderr")
    return 0


# --------------------------------------------------------------------------
# what another process does on the harness's daemon

DOMAIN_XML = ("<domain type='test'><name>{name}</name><memory>65536</memory>"
              "<os><type>hvm</type></os></domain>")
NETWORK_XML = "<network><name>{name}</name><bridge name='{name}'/></network>"
POOL_XML = ("<pool type='dir'><name>{name}</name>"
            "<target><path>/tmp/{name}</path></target></pool>")
DEVICE_XML = ("<device><parent>scsi_host1</parent><capability type='scsi_host'>"
              "<capability type='fc_host'><wwnn>2000000012349999</wwnn>"
              "<wwpn>1000000012349999</wwpn></capability></capability></device>")


def domain_story(conn, name):
    dom = conn.defineXML(DOMAIN_XML.format(name=name))
    dom.create()
    dom.suspend()
    dom.resume()
    dom.destroy()
    dom.undefine()


def object_story(conn, name):
    net = conn.networkDefineXML(NETWORK_XML.format(name=name))
    net.create()
    net.destroy()
    net.undefine()
    pool = conn.storagePoolDefineXML(POOL_XML.format(name=name))
    pool.create()
    pool.refresh()
    pool.destroy()
    pool.undefine()
    dev = conn.nodeDeviceCreateXML(DEVICE_XML, 0)
    dev.destroy()


def test_json():
    if "GVIR_EVENTS_TEST_DIR" not in os.environ:
        return not_under_harness("json")
    uri, m, conn = listening_monitor("--json")
    name = PREFIX + "json"
    domain_story(conn, name)
    events = [jline(m.next()) for _ in range(6)]
    want = [("defined", "added"), ("started", "booted"), ("suspended", "paused"),
            ("resumed", "unpaused"), ("stopped", "destroyed"), ("undefined", "removed")]
    dom_uuid = events[0]["uuid"]
    for e, (ev, detail) in zip(events, want):
        check(e["connection"] == uri and e["domain"] == name and e["uuid"] == dom_uuid
              and e["event"] == "lifecycle", f"domain event {e}")
        check(e["data"] == {"event": ev, "detail": detail}, f"lifecycle data {e['data']}")
    check(re.match(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", dom_uuid),
          f"uuid {dom_uuid}")

    object_story(conn, name)
    events = [jline(m.next()) for _ in range(11)]
    want = [("network", "network-lifecycle", "defined"), ("network", "network-lifecycle", "started"),
            ("network", "network-lifecycle", "stopped"), ("network", "network-lifecycle", "undefined"),
            ("pool", "storage-pool-lifecycle", "defined"), ("pool", "storage-pool-lifecycle", "started"),
            ("pool", "storage-pool-refresh", None), ("pool", "storage-pool-lifecycle", "stopped"),
            ("pool", "storage-pool-lifecycle", "undefined"),
            ("device", "node-device-lifecycle", "created"), ("device", "node-device-lifecycle", "deleted")]
    for e, (family, kind, ev) in zip(events, want):
        check(e["event"] == kind and family in e, f"object event {e}, wanted {kind}")
        if ev:
            check(e["data"] == {"event": ev, "detail": 0}, f"object data {e['data']}")
        else:
            check(e["data"] == {}, f"object data {e['data']}")
        if family != "device":
            check(e[family] == name and re.match(r"^[0-9a-f-]{36}$", e["uuid"]), f"object {e}")
        else:
            check(e["device"].startswith("scsi_host"), f"device {e}")
    m.stop()

    # filters: a kind, a kind with its detail, a domain; --count ends the run
    m = Monitor("--json", "-c", uri, "--domain", "test", "--event", "lifecycle::suspended",
                "--event", "network-lifecycle::started", "--count", "2")
    test = conn.lookupByName("test")
    for attempt in range(30):           # until the monitor listens
        test.suspend()
        test.resume()
        try:
            first = jline(m.next(timeout=5))
            break
        except AssertionError:
            continue
    check(first["domain"] == "test" and first["data"]["event"] == "suspended", f"{first}")
    domain_story(conn, name)            # not the domain asked for
    object_story(conn, name)            # one network start among other events
    second = jline(m.next())
    check(second["event"] == "network-lifecycle" and second["data"]["event"] == "started", f"{second}")
    check(m.proc.wait(timeout=10) == 0, "--count 2: status")
    check(m.lines.get(timeout=10) is None, "--count 2: a third line")
    conn.close()
    return 0


def listening_monitor(*args):
    """A monitor of the harness's daemon's test driver, once it listens; the
    URI, the monitor, a connection of this process."""
    uri = socket_uri(os.path.join(os.environ["GVIR_EVENTS_TEST_DIR"], "libvirt-sock"))
    m = Monitor(*args, "-c", uri)
    conn = libvirt.open(uri)
    # the monitor is listening once it reports a probe domain's definition
    wait_until_listening(m, conn, json="--json" in args)
    return uri, m, conn


def wait_until_listening(m, conn, json):
    """Defines and undefines probe domains until the monitor reports one."""
    for i in range(60):
        probe = conn.defineXML(DOMAIN_XML.format(name=f"{PREFIX}probe{i}"))
        probe.undefine()
        try:
            m.wait_for(lambda l: f"{PREFIX}probe{i} " in l.replace('"', " ") and "undefined" in l,
                       timeout=0.5 if i < 59 else 30)
            return
        except AssertionError:
            continue
    raise AssertionError("the monitor never reported the probe domains")


# The human format: one line per family, aligned columns, words not numbers.
HUMAN = [
    (r"^\d\d:\d\d:\d\d  {name} +lifecycle defined \(added\)$", "domain"),
    (r"^\d\d:\d\d:\d\d  {name} +lifecycle started \(booted\)$", "domain"),
    (r"^\d\d:\d\d:\d\d  {name} +lifecycle suspended \(paused\)$", "domain"),
    (r"^\d\d:\d\d:\d\d  {name} +lifecycle resumed \(unpaused\)$", "domain"),
    (r"^\d\d:\d\d:\d\d  {name} +lifecycle stopped \(destroyed\)$", "domain"),
    (r"^\d\d:\d\d:\d\d  {name} +lifecycle undefined \(removed\)$", "domain"),
    (r"^\d\d:\d\d:\d\d  network {name} *network-lifecycle defined$", "objects"),
    (r"^\d\d:\d\d:\d\d  network {name} *network-lifecycle started$", "objects"),
    (r"^\d\d:\d\d:\d\d  network {name} *network-lifecycle stopped$", "objects"),
    (r"^\d\d:\d\d:\d\d  network {name} *network-lifecycle undefined$", "objects"),
    (r"^\d\d:\d\d:\d\d  pool {name} *storage-pool-lifecycle defined$", "objects"),
    (r"^\d\d:\d\d:\d\d  pool {name} *storage-pool-lifecycle started$", "objects"),
    (r"^\d\d:\d\d:\d\d  pool {name} *storage-pool-refresh$", "objects"),
    (r"^\d\d:\d\d:\d\d  pool {name} *storage-pool-lifecycle stopped$", "objects"),
    (r"^\d\d:\d\d:\d\d  pool {name} *storage-pool-lifecycle undefined$", "objects"),
    (r"^\d\d:\d\d:\d\d  device scsi_host\d+ *node-device-lifecycle created$", "objects"),
    (r"^\d\d:\d\d:\d\d  device scsi_host\d+ *node-device-lifecycle deleted$", "objects"),
]


def test_human():
    if "GVIR_EVENTS_TEST_DIR" not in os.environ:
        return not_under_harness("human")
    uri = socket_uri(os.path.join(os.environ["GVIR_EVENTS_TEST_DIR"], "libvirt-sock"))
    name = PREFIX + "human"
    m = Monitor("-c", uri)
    conn = libvirt.open(uri)
    wait_until_listening(m, conn, json=False)
    domain_story(conn, name)
    object_story(conn, name)
    columns = {}
    for pattern, family in HUMAN:
        line = m.next()
        check(re.match(pattern.format(name=re.escape(name)), line),
              f"{line!r} does not match {pattern}")
        check("\033" not in line, "colour in a pipe")
        # aligned: a family's events start in one column
        column = re.search(r" (lifecycle|network-|storage-|node-)", line).start()
        check(columns.setdefault(family, column) == column, f"not aligned: {line!r}")
    m.stop()
    conn.close()
    return 0


# --------------------------------------------------------------------------
# many hosts

def test_hosts():
    socks = os.environ.get("GVIR_EVENTS_DAEMON_SOCKETS", "").split(":")
    if len(socks) < 10:
        return not_under_harness("hosts (with --daemons 10)")
    uris = [socket_uri(s) for s in socks]
    args = ["--json", "--event", "lifecycle::defined"]
    for uri in uris:
        args += ["-c", uri]
    m = Monitor(*args)
    conns = [libvirt.open(u) for u in uris]

    def define_all(tag, hosts):
        for i in hosts:
            conns[i].defineXML(DOMAIN_XML.format(name=f"{PREFIX}h{i}-{tag}")).undefine()

    def expect(tag, hosts, extra=()):
        """Defines a domain on each of hosts; waits for their events, and the extra ones."""
        define_all(tag, hosts)
        want = {(uris[i], f"{PREFIX}h{i}-{tag}") for i in hosts}
        extras = list(extra)
        deadline = time.monotonic() + TIMEOUT
        while want or extras:
            check(time.monotonic() < deadline, f"round {tag}: still waiting for {want} {extras}")
            e = jline(m.next())
            if e["event"] == "lifecycle":
                check(e["data"] == {"event": "defined", "detail": "added"}, f"filter: {e}")
                want.discard((e["connection"], e["domain"]))
            elif extras and (e["connection"], e["event"]) == extras[0][:2]:
                check(e["data"].get("reason") == extras[0][2], f"{e}")
                extras.pop(0)
            else:
                raise AssertionError(f"round {tag}: unexpected {e}")

    # every host's monitor is listening once it reported a probe
    pending = set(range(len(uris)))
    for attempt in range(60):
        define_all(f"probe{attempt}", pending)
        deadline = time.monotonic() + 1
        while pending and time.monotonic() < deadline:
            try:
                e = jline(m.next(timeout=max(0.05, deadline - time.monotonic())))
            except AssertionError:
                break
            pending.discard(uris.index(e["connection"]))
        if not pending:
            break
    check(not pending, f"hosts never heard: {pending}")
    while not m.lines.empty():
        m.next()

    expect("a", range(10))
    control = os.environ["GVIR_EVENTS_CONTROL"]
    victim = 3
    with open(control, "w") as f:
        f.write(f"kill {victim}\n")
    others = [i for i in range(10) if i != victim]
    conns[victim].close()
    # the nine others keep streaming while the tenth is down
    expect("b", others, extra=[(uris[victim], "disconnected", "eof")])
    expect("c", others)
    with open(control, "w") as f:
        f.write(f"start {victim}\n")
    expect("d", [], extra=[(uris[victim], "reconnected", None)])
    conns[victim] = libvirt.open(uris[victim])
    expect("e", range(10))
    m.stop()

    # the same in text: a host column, padded, and the host lines
    h = Monitor("-c", uris[0], "-c", uris[1], "--event", "lifecycle::defined")
    width = max(len(uris[0]), len(uris[1]))
    for attempt in range(30):
        define_all(f"text{attempt}", [0])
        try:
            line = h.next(timeout=2)
            break
        except AssertionError:
            continue
    check(re.match(rf"^\d\d:\d\d:\d\d  {re.escape(uris[0].ljust(width))}  {PREFIX}h0-text\d+  "
                   r"lifecycle defined \(added\)$", line), f"text line {line!r}")
    with open(control, "w") as f:
        f.write("kill 1\n")
    line = h.next()
    check(re.match(rf"^\d\d:\d\d:\d\d  {re.escape(uris[1])}  --  +disconnected \(eof\)$", line),
          f"text line {line!r}")
    with open(control, "w") as f:
        f.write("start 1\n")
    line = h.next()
    check(re.match(rf"^\d\d:\d\d:\d\d  {re.escape(uris[1])}  --  +reconnected$", line),
          f"text line {line!r}")
    h.stop()
    for c in conns:
        c.close()
    return 0


# --------------------------------------------------------------------------
# the demo, end to end

DEMO_KINDS = ["lifecycle", "io-error", "watchdog", "vnc-connected", "vnc-initialized",
              "vnc-disconnected", "watermark", "reboot", "guest-user-logon", "guest-user-logoff"]


def test_demo():
    # orphans of the demo (anything it leaves) become our children: none may be left
    ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)     # PR_SET_CHILD_SUBREAPER
    env = dict(os.environ, NO_COLOR="1")
    start = time.monotonic()
    r = subprocess.run([TOOL, "demo"], capture_output=True, text=True, timeout=400, env=env)
    took = time.monotonic() - start
    print(r.stdout)
    print(r.stderr, file=sys.stderr)
    if r.returncode == SKIP:
        return SKIP
    check(r.returncode == 0, f"demo: status {r.returncode}")
    lines = r.stdout.splitlines()
    if lines and lines[0].startswith("demo: real guests need"):
        return not_under_harness("demo (it needs root, libvirtd, QEMU and nbdkit)")
    for kind in DEMO_KINDS:
        check(any(re.match(rf"^\d\d:\d\d:\d\d  {PREFIX}\S+ +{kind}( |$)", l) for l in lines),
              f"demo: no {kind} line")
    check(any(re.search(r" io-error hdb \(ide0-0-1\) report", l) for l in lines), "io-error words")
    check(any(re.search(r" vnc-connected 127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+ \(none\)$", l)
              for l in lines), "vnc words")
    check(any(re.search(r" watermark hdb crossed 4\.0 KiB by ", l) for l in lines), "watermark words")
    check(any(re.search(r" lifecycle suspended \(watchdog\)$", l) for l in lines), "watchdog pause")
    check(any(re.search(r" guest-user-logon alice ", l) for l in lines), "alice's logon")
    check(any(re.search(r" guest-user-logoff alice ", l) for l in lines), "alice's logoff")
    summary = lines[-1]
    check(re.match(r"^demo: \d+ events: ", summary), f"summary {summary!r}")
    for kind in DEMO_KINDS:
        check(re.search(rf"\b{kind} \d+", summary), f"summary lacks {kind}: {summary}")
    try:
        pid, _ = os.waitpid(-1, os.WNOHANG)
        raise AssertionError(f"the demo left process {pid} behind")
    except ChildProcessError:
        pass
    print(f"demo took {took:.1f} s")
    return 0


# --------------------------------------------------------------------------
# hostile names and bytes (issue 19): the text lines are checked byte by byte

# what a terminal obeys: C0, DEL, C1, bidi overrides/isolates/marks, separators
OBEYED = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def check_printable(line):
    """A text line (bytes, without its newline) a terminal only shows."""
    for i, byte in enumerate(line):
        check(byte >= 0x20 and byte != 0x7f, f"raw byte 0x{byte:02x} at {i} in {line!r}")
    text = line.decode("utf-8")         # strict: valid UTF-8 or an exception
    check(not OBEYED.search(text), f"raw control in {text!r}")
    return text


def set_metadata_bytes(uri, name, nsuri):
    """virDomainSetMetadata with any bytes as nsuri: Python's binding takes str only."""
    lib = ctypes.CDLL("libvirt.so.0")
    lib.virConnectOpen.restype = ctypes.c_void_p
    lib.virDomainLookupByName.restype = ctypes.c_void_p
    lib.virDomainLookupByName.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.virDomainSetMetadata.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p,
                                         ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint]
    lib.virDomainFree.argtypes = [ctypes.c_void_p]
    lib.virConnectClose.argtypes = [ctypes.c_void_p]
    conn = lib.virConnectOpen(uri.encode())
    check(conn, "ctypes: virConnectOpen")
    dom = lib.virDomainLookupByName(conn, name.encode())
    check(dom, "ctypes: virDomainLookupByName")
    check(lib.virDomainSetMetadata(dom, libvirt.VIR_DOMAIN_METADATA_ELEMENT, b"<tag>1</tag>",
                                   b"t", nsuri, libvirt.VIR_DOMAIN_AFFECT_LIVE) == 0,
          "ctypes: virDomainSetMetadata")
    lib.virDomainFree(dom)
    lib.virConnectClose(conn)


class RawMonitor(Monitor):
    """The monitor's stdout as bytes, each line exactly as written."""

    def __init__(self, *args):
        wrapper = os.environ.get("GVIR_EVENTS_TOOL_WRAPPER", "").split()
        self.proc = subprocess.Popen([*wrapper, TOOL, "monitor", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=dict(os.environ, NO_COLOR="1"))
        self.lines = queue.Queue()
        self.seen = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            check(line.endswith(b"\n"), f"a line without its newline: {line!r}")
            self.lines.put(line[:-1])
        self.lines.put(None)

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        status = self.proc.wait(timeout=10)
        err = self.proc.stderr.read()
        check(status == 0 and err == b"", f"SIGINT: exit status {status}, stderr {err!r}")


def test_hostile():
    if "GVIR_EVENTS_TEST_DIR" not in os.environ:
        return not_under_harness("hostile")
    uri = socket_uri(os.path.join(os.environ["GVIR_EVENTS_TEST_DIR"], "libvirt-sock"))
    # libvirt takes these names (CR and TAB as character references in XML)
    names = [(PREFIX + "x&#13;12:00:00  prod-db  lifecycle stopped",
              PREFIX + "x\r12:00:00  prod-db  lifecycle stopped",
              PREFIX + "x\\x0d12:00:00  prod-db  lifecycle stopped"),
             (PREFIX + "tab&#9;bed", PREFIX + "tab\tbed", PREFIX + "tab\\x09bed"),
             (PREFIX + "csi\u009b31m", PREFIX + "csi\u009b31m", PREFIX + "csi\\u009b31m"),
             (PREFIX + "rlo\u202egpj.exe", PREFIX + "rlo\u202egpj.exe", PREFIX + "rlo\\u202egpj.exe")]
    esc_nsuri = "urn:x\x1b]0;pwned\x07\x1b[41m"
    bad_nsuri = b"urn:\xff\xfe\x1b[2J"
    text = RawMonitor("-c", uri, "--event", "lifecycle::started", "--event", "metadata-change")
    jsonm = RawMonitor("--json", "-c", uri, "--event", "lifecycle::started",
                       "--event", "metadata-change")
    conn = libvirt.open(uri)
    test = conn.lookupByName("test")
    # both listen once both report a metadata change of the driver's own domain
    for m in (text, jsonm):
        for attempt in range(60):
            test.setMetadata(libvirt.VIR_DOMAIN_METADATA_DESCRIPTION, "probe", None, None,
                             libvirt.VIR_DOMAIN_AFFECT_LIVE)
            try:
                m.wait_for(lambda l: b"metadata-change" in l, timeout=0.5 if attempt < 59 else 30)
                break
            except AssertionError:
                continue
    time.sleep(1)
    for m in (text, jsonm):             # the probes of the other monitor's wait
        while not m.lines.empty():
            m.next()

    doms = []
    for xml_name, name, shown in names:
        dom = conn.defineXML(DOMAIN_XML.format(name=xml_name))
        check(dom.name() == name, f"libvirt's name {dom.name()!r}")
        dom.create()
        doms.append(dom)
    test.setMetadata(libvirt.VIR_DOMAIN_METADATA_ELEMENT, "<tag>1</tag>", "t", esc_nsuri,
                     libvirt.VIR_DOMAIN_AFFECT_LIVE)
    set_metadata_bytes(uri, "test", bad_nsuri)

    lines = [check_printable(text.next()) for _ in range(len(names) + 2)]
    for (xml_name, name, shown), line in zip(names, lines):
        check(re.match(r"^\d\d:\d\d:\d\d  " + re.escape(shown) + r" +lifecycle started \(booted\)$",
                       line), f"{line!r}")
    check(re.match(r"^\d\d:\d\d:\d\d  test +metadata-change type=element "
                   r"nsuri=urn:x\\x1b\]0;pwned\\x07\\x1b\[41m$", lines[-2]), f"{lines[-2]!r}")
    check(re.match(r"^\d\d:\d\d:\d\d  test +metadata-change type=element "
                   "nsuri=urn:\ufffd\ufffd" r"\\x1b\[2J$", lines[-1]), f"{lines[-1]!r}")

    # the JSON lines stay exact: the names as libvirt has them, the bytes kept
    events = [json.loads(jsonm.next()) for _ in range(len(names) + 2)]
    for (xml_name, name, shown), e in zip(names, events):
        check(e["domain"] == name and e["event"] == "lifecycle", f"{e}")
    check(events[-2]["data"] == {"type": "element", "nsuri": esc_nsuri}, f"{events[-2]}")
    check(events[-1]["data"] == {"type": "element", "nsuri": "urn:\ufffd\ufffd\x1b[2J",
                                 "nsuri-bytes": list(bad_nsuri)}, f"{events[-1]}")
    text.stop()
    jsonm.stop()
    for dom in doms:
        dom.destroy()
        dom.undefine()
    conn.close()
    return 0


class PrivateDaemon:
    """libvirtd serving its test driver on a socket in DIR (no hypervisor
    module: see docs/gvir-events.md, "Trying it")."""

    def __init__(self, directory):
        self.dir = directory
        self.sock = os.path.join(directory, "libvirt-sock")
        os.makedirs(os.path.join(directory, "no-drivers"), exist_ok=True)
        with open(os.path.join(directory, "libvirtd.conf"), "w") as f:
            f.write(f'unix_sock_dir = "{directory}"\nlisten_tcp = 0\nlisten_tls = 0\n'
                    f'auth_unix_rw = "none"\nauth_unix_ro = "none"\n'
                    f'log_outputs = "3:file:{directory}/libvirtd.log"\n')
        self.proc = subprocess.Popen(
            ["/usr/sbin/libvirtd", "-f", os.path.join(directory, "libvirtd.conf"),
             "-p", os.path.join(directory, "pid")],
            env=dict(os.environ, LIBVIRT_DRIVER_DIR=os.path.join(directory, "no-drivers")))
        deadline = time.monotonic() + 20
        while not os.path.exists(self.sock):
            check(self.proc.poll() is None, f"libvirtd exited: {self.proc.returncode}")
            check(time.monotonic() < deadline, "libvirtd made no socket in 20 s")
            time.sleep(0.05)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=20)


def test_service():
    # As a service (issue 24): the only host, down at start, is retried until
    # it answers; a closed output pipe is a failure (status 1), so that
    # systemd's Restart=on-failure brings the monitor back.
    import shutil
    import tempfile
    if not os.access("/usr/sbin/libvirtd", os.X_OK):
        print("test-cli: service needs /usr/sbin/libvirtd", file=sys.stderr)
        return 1 if os.environ.get("GVIR_EVENTS_REQUIRE_HYPERVISOR") == "1" else SKIP
    tmp = tempfile.mkdtemp(prefix="gvir-events-service-")
    daemon = None
    try:
        uri = socket_uri(os.path.join(tmp, "libvirt-sock"))
        m = Monitor("--json", "-c", uri)
        down = jline(m.next())
        check(down["event"] == "disconnected" and down["data"]["reason"] == "unreachable"
              and down["connection"] == uri, f"down at start: {down}")
        # past the first retry (5 s): still there, and quiet
        time.sleep(6)
        if m.proc.poll() is not None:
            raise AssertionError(f"the only host down: exited {m.proc.returncode}, "
                                 f"stderr {m.proc.stderr.read()!r}")
        check(m.lines.empty(), "a retry that failed printed a line")
        daemon = PrivateDaemon(tmp)
        start = time.monotonic()
        # the next retry is 10 s after the second failure at most
        up = jline(m.next(timeout=15))
        check(up["event"] == "reconnected" and up["connection"] == uri, f"came up: {up}")
        # back-off: tried at 0, 5 (down), 15 s (up); a fixed 5 s would be up at 10
        when = lambda e: datetime.datetime.strptime(e["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
        waited = (when(up) - when(down)).total_seconds()
        check(13 < waited < 18, f"up {waited:.1f} s after the first attempt, not ~15 s")
        print(f"  answered {time.monotonic() - start:.1f} s after the daemon started")
        conn = libvirt.open(uri)
        dom = conn.lookupByName("test")
        dom.suspend()
        dom.resume()
        got = [jline(m.next()) for _ in range(2)]
        check([g["data"]["event"] for g in got] == ["suspended", "resumed"], f"events: {got}")

        m.stop()

        # a closed output pipe (a plain pipe: Monitor's reader thread would
        # hold its end): the next event ends it, status 1, quietly
        r, w = os.pipe()
        p = subprocess.Popen([TOOL, "monitor", "--json", "-c", uri], stdout=w,
                             stderr=subprocess.PIPE, env=dict(os.environ, NO_COLOR="1"))
        os.close(w)
        time.sleep(1.5)                 # connected and registered
        dom.suspend()
        first = b""
        while not first.endswith(b"\n"):
            chunk = os.read(r, 4096)
            check(chunk != b"", "the monitor closed its output first")
            first += chunk
        os.close(r)
        dom.resume()
        dom.suspend()
        dom.resume()
        try:
            status = p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            raise AssertionError("closed pipe: the monitor did not exit")
        err = p.stderr.read().decode()
        check(status == 1, f"closed pipe: status {status}, stderr {err!r}")
        check(err == "", f"closed pipe: stderr {err!r}")
        conn.close()
    finally:
        if daemon:
            daemon.stop()
        shutil.rmtree(tmp, True)
    return 0


# --------------------------------------------------------------------------
# fleets (issue 22): seq, outage_s, CloudEvents, the journal, the units

def drain(m):
    """After stop(): the lines the monitor wrote that were not read yet."""
    while True:
        line = m.lines.get(timeout=30)
        if line is None:
            return m.seen
        m.seen.append(line)


def check_contiguous(numbers, what):
    check(numbers == list(range(1, len(numbers) + 1)),
          f"{what}: not 1..{len(numbers)} without gap or repeat: {numbers}")


def restart_daemon(m, is_down, is_up, pause=3.0):
    """Kills the harness's daemon, starts it again after pause seconds; the
    lines of both; the seconds between reading the two lines."""
    control = os.environ["GVIR_EVENTS_CONTROL"]
    with open(control, "w") as f:
        f.write("kill\n")
    down = m.wait_for(is_down, timeout=60)[-1]
    t_down = time.monotonic()
    time.sleep(pause)
    with open(control, "w") as f:
        f.write("start\n")
    up = m.wait_for(is_up, timeout=90)[-1]
    return down, up, time.monotonic() - t_down


def test_seq():
    # the lines of a domain's story, a daemon restart, another story
    name = PREFIX + "seq"
    if "GVIR_EVENTS_CONTROL" not in os.environ:
        return not_under_harness("seq (with its private daemon)")
    uri, m, conn = listening_monitor("--json")
    domain_story(conn, name)
    m.wait_for(lambda l: name in l and '"undefined"' in l)
    conn.close()
    down, up, measured = restart_daemon(m, lambda l: '"disconnected"' in l,
                                        lambda l: '"reconnected"' in l)
    down, up = jline(down), jline(up)
    check(down["data"]["reason"] in ("eof", "error", "keepalive"), f"{down}")
    outage = up["data"]["outage_s"]
    print(f"  outage_s {outage}, measured between the lines {measured:.3f} s")
    check(abs(outage - measured) < 1.0, f"outage_s {outage} against {measured:.3f} s measured")
    check(outage >= 2.5, f"outage_s {outage}: the daemon was down 3 s")
    check(up["seq"] == down["seq"] + 1, f"nothing between the two: {down} {up}")
    conn = libvirt.open(uri)
    domain_story(conn, name + "-after")
    m.wait_for(lambda l: name + "-after" in l and '"undefined"' in l)
    conn.close()
    m.stop()
    events = [jline(l) for l in drain(m)]
    check(all(e["connection"] == uri for e in events), "one connection")
    check_contiguous([e["seq"] for e in events], "seq")
    check(len(events) >= 14, f"{len(events)} lines")
    print(f"  {len(events)} lines, seq 1..{events[-1]['seq']}")
    return 0


def cloudevents_sdk():
    """The CNCF JavaScript SDK, installed into the build tree (once)."""
    build = os.path.dirname(os.path.dirname(os.path.abspath(TOOL)))
    prefix = os.path.join(build, "tests", "cli", "cloudevents-sdk")
    if os.path.exists(os.path.join(prefix, "node_modules", "cloudevents", "package.json")):
        return prefix
    if not shutil_which("node") or not shutil_which("npm"):
        return None
    os.makedirs(prefix, exist_ok=True)
    r = subprocess.run(["npm", "install", "--prefix", prefix, "--no-audit", "--no-fund",
                        "--no-save", "cloudevents@10"], capture_output=True, text=True, timeout=300)
    print(r.stdout, r.stderr, file=sys.stderr)
    return prefix if r.returncode == 0 else None


def shutil_which(prog):
    import shutil
    return shutil.which(prog)


CE_TYPE = re.compile(r"^org\.libvirt\.gevents\.(domain|network|storage-pool|node-device|secret|connection)"
                     r"\.[a-z0-9-]+$")


def test_cloudevents():
    import importlib.util
    if "GVIR_EVENTS_LINUX_KERNEL" not in os.environ or "GVIR_EVENTS_CONTROL" not in os.environ:
        return not_under_harness("cloudevents (with --linux-guest and its private daemon)")
    sdk = cloudevents_sdk()
    if not sdk:
        print("test-cli: cloudevents needs node, npm and the npm registry (cloudevents@10)",
              file=sys.stderr)
        return 1 if os.environ.get("GVIR_EVENTS_REQUIRE_HYPERVISOR") == "1" else SKIP
    here = os.path.dirname(os.path.abspath(__file__))
    source = os.path.join(here, "..", "..")
    spec = importlib.util.spec_from_file_location("demo_guest", os.path.join(source, "tools",
                                                                             "demo-guest.py"))
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    qemu = os.environ["GVIR_EVENTS_TEST_URI"]
    test = socket_uri(os.path.join(os.environ["GVIR_EVENTS_TEST_DIR"], "libvirt-sock"))
    m = Monitor("--format", "cloudevents", "--guest-users-interval", "2", "-c", qemu, "-c", test)
    conn = libvirt.open(test)
    wait_until_listening(m, conn, json=True)
    qconn = libvirt.open(qemu)
    for i in range(60):                 # the qemu:///system link listens too
        qconn.defineXML(demo.guest_xml(f"ceprobe{i}", "watchdog", [])).undefine()
        try:
            m.wait_for(lambda l: f"{PREFIX}ceprobe{i}" in l and "undefined" in l,
                       timeout=0.5 if i < 59 else 30)
            break
        except AssertionError:
            continue
    # the real stream: the demo's guests (watchdog, VNC, reboot, I/O error,
    # watermark, guest users) on qemu:///system; hostile names and bytes and
    # the other objects on the test driver; a daemon restart for both
    scenario = subprocess.run([sys.executable, os.path.join(source, "tools", "demo-guest.py")],
                              capture_output=True, text=True, timeout=300)
    check(scenario.returncode == 0, f"the demo's scenario: {scenario.stdout} {scenario.stderr}")
    names = [PREFIX + "ce&#13;x", PREFIX + "ce\u202egpj", PREFIX + "ce\u009b31m"]
    doms = [conn.defineXML(DOMAIN_XML.format(name=n)) for n in names]
    for dom in doms:
        dom.create()
    set_metadata_bytes(test, doms[0].name(), b"urn:\xff\xfe\x1b[2J")
    object_story(conn, PREFIX + "ce")
    for dom in doms:
        dom.destroy()
        dom.undefine()
    m.wait_for(lambda l: "node-device-lifecycle" in l and "deleted" in l)
    conn.close()
    qconn.close()
    restart_daemon(m, lambda l: ".connection.disconnected" in l, lambda l: ".connection.reconnected" in l)
    # both links come back (one daemon serves both)
    if sum(".connection.reconnected" in l for l in m.seen) < 2:
        m.wait_for(lambda l: ".connection.reconnected" in l, timeout=90)
    time.sleep(1)
    m.stop()
    lines = drain(m)

    events = [json.loads(l) for l in lines]
    ids = set()
    for e in events:
        check(set(e) >= {"specversion", "id", "source", "type", "time", "datacontenttype",
                         "data", "sequence"}, f"attributes of {e}")
        check(e["specversion"] == "1.0" and e["datacontenttype"] == "application/json", f"{e}")
        check(CE_TYPE.match(e["type"]), f"type {e['type']}")
        check(e["source"] in (qemu, test), f"source {e['source']}")
        check((e["source"], e["id"]) not in ids, f"id {e['id']} twice")
        ids.add((e["source"], e["id"]))
        check(re.match(r"^[0-9a-f-]{36}-\d+$", e["id"]), f"id {e['id']}")
        check(re.match(r"^\d{20}$", e["sequence"]), f"sequence {e['sequence']}")
        if not e["type"].startswith("org.libvirt.gevents.connection."):
            check("subject" in e, f"no subject: {e}")
    for source in (qemu, test):
        mine = [e for e in events if e["source"] == source]
        check_contiguous([int(e["sequence"]) for e in mine], f"sequence of {source}")
        check(len({e["id"].rsplit("-", 1)[0] for e in mine}) == 1, "one run id per source")
    types = {e["type"] for e in events}
    for kind in ("io-error", "watchdog", "vnc-connected", "watermark", "reboot",
                 "guest-user-logon", "guest-user-logoff", "lifecycle", "metadata-change"):
        check(f"org.libvirt.gevents.domain.{kind}" in types, f"no {kind} in {sorted(types)}")
    for t in ("network.network-lifecycle", "storage-pool.storage-pool-refresh",
              "node-device.node-device-lifecycle", "connection.disconnected", "connection.reconnected"):
        check(f"org.libvirt.gevents.{t}" in types, f"no {t} in {sorted(types)}")
    check(any(e["subject"] == names[1] for e in events if "subject" in e), "a hostile subject")
    check(any(e["data"].get("nsuri-bytes") == list(b"urn:\xff\xfe\x1b[2J") for e in events),
          "the metadata's bytes")
    check(all("outage_s" in e["data"] for e in events if e["type"].endswith(".reconnected")),
          "outage_s")

    r = subprocess.run(["node", os.path.join(here, "validate-cloudevents.js")], input="\n".join(lines),
                       capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, NODE_PATH=os.path.join(sdk, "node_modules")))
    print(r.stdout, r.stderr)
    check(r.returncode == 0 and r.stdout.strip() == f"valid {len(lines)}",
          f"the SDK: {r.returncode} {r.stdout} {r.stderr}")
    # and the check checks: a line the SDK must refuse (a time that is none)
    broken = json.loads(lines[0])
    broken["time"] = "yesterday"
    r = subprocess.run(["node", os.path.join(here, "validate-cloudevents.js")], input=json.dumps(broken),
                       capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, NODE_PATH=os.path.join(sdk, "node_modules")))
    check(r.returncode == 1 and "refused:" in r.stderr and "date-time" in r.stderr,
          f"the SDK took {broken}: {r}")
    print(f"  {len(lines)} CloudEvents lines, {len(types)} types, all valid for the SDK")
    return 0


def journal_entries(directory):
    r = subprocess.run(["journalctl", f"--directory={directory}", "-o", "json", "--no-pager",
                        "SYSLOG_IDENTIFIER=gvir-events"], capture_output=True, timeout=60)
    out = []
    for line in r.stdout.splitlines():
        entry = json.loads(line)
        # journalctl writes a value that is not printable UTF-8 as its bytes
        out.append({k: bytes(v).decode("utf-8") if isinstance(v, list) else v
                    for k, v in entry.items()})
    return out


def test_journal():
    if "GVIR_EVENTS_CONTROL" not in os.environ:
        return not_under_harness("journal (with its private daemon)")
    missing = [p for p in ("/lib/systemd/systemd-journald", "/usr/bin/journalctl", "/usr/bin/unshare")
               if not os.access(p, os.X_OK)]
    if os.geteuid() != 0 or missing:
        print(f"test-cli: journal needs root and {missing or 'root'}", file=sys.stderr)
        return 1 if os.environ.get("GVIR_EVENTS_REQUIRE_HYPERVISOR") == "1" else SKIP
    if os.environ.get("GVIR_EVENTS_JOURNAL_NS") != "1":
        # again, as PID 1 of private mount and PID namespaces: its journald
        # dies with it, its /run is its own
        return subprocess.run(["unshare", "--mount", "--propagation", "private", "--pid", "--fork",
                               "--kill-child", sys.executable, os.path.abspath(__file__), TOOL, "journal"],
                              env=dict(os.environ, GVIR_EVENTS_JOURNAL_NS="1")).returncode
    subprocess.run(["mount", "-t", "tmpfs", "tmpfs", "/run"], check=True)
    uri = socket_uri(os.path.join(os.environ["GVIR_EVENTS_TEST_DIR"], "libvirt-sock"))

    # no journald: one line, status 1, no fallback
    r = subprocess.run([TOOL, "monitor", "--journal", "-c", uri, "--timeout", "5"],
                       capture_output=True, text=True, timeout=30)
    check(r.returncode == 1 and r.stdout == "", f"no journald: {r}")
    check(re.match(r"^gvir-events: --journal: no systemd journal to write to "
                   r"\(/run/systemd/journal/socket: .*\)\n$", r.stderr), f"no journald: {r.stderr!r}")
    for args in (["--json"], ["--format", "text"]):
        r = subprocess.run([TOOL, "monitor", "--journal", *args], capture_output=True, text=True)
        check(r.returncode == 2 and len(r.stderr.splitlines()) == 1, f"--journal {args}: {r}")

    os.makedirs("/run/systemd/journal")
    journald = subprocess.Popen(["/lib/systemd/systemd-journald"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while not os.path.exists("/run/systemd/journal/socket"):
        check(journald.poll() is None and time.monotonic() < deadline, "journald did not start")
        time.sleep(0.05)
    directory = "/run/log/journal"
    m = Monitor("--journal", "-c", uri)
    conn = libvirt.open(uri)

    def wait_entries(match, what, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            entries = journal_entries(directory)
            if any(match(e) for e in entries):
                return entries
            check(time.monotonic() < deadline, f"no journal entry for {what}")
            time.sleep(0.2)

    for i in range(60):
        conn.defineXML(DOMAIN_XML.format(name=f"{PREFIX}jprobe{i}")).undefine()
        try:
            wait_entries(lambda e: e.get("GVIR_DOMAIN") == f"{PREFIX}jprobe{i}", "a probe",
                         timeout=0.5 if i < 59 else 30)
            break
        except AssertionError:
            continue
    name = PREFIX + "journal"
    hostile = PREFIX + "j\r12:00:00  prod-db\u202e"
    domain_story(conn, name)
    dom = conn.defineXML(DOMAIN_XML.format(name=hostile.replace("\r", "&#13;")))
    dom.create()
    set_metadata_bytes(uri, hostile, b"urn:\xff\xfe\x1b[2J")
    dom.destroy()
    dom.undefine()
    object_story(conn, name)
    conn.close()
    wait_entries(lambda e: e.get("GVIR_EVENT") == "node-device-lifecycle"
                 and json.loads(e["GVIR_DATA"])["event"] == "deleted", "the object story")
    restart_daemon_plain()
    entries = wait_entries(lambda e: e.get("GVIR_EVENT") == "reconnected", "reconnected", timeout=90)
    m.proc.send_signal(signal.SIGINT)
    check(m.proc.wait(timeout=30) == 0, f"--journal: status {m.proc.returncode}")
    check(m.proc.stdout.read() == "" and m.proc.stderr.read() == "", "--journal wrote lines")

    catalog_file = os.path.join(os.path.dirname(os.path.abspath(TOOL)), "gvir-events.catalog")
    with open(catalog_file) as f:
        catalog = set(re.findall(r"^-- ([0-9a-f]{32})$", f.read(), re.M))
    ids = {}
    check_contiguous([int(e["GVIR_SEQ"]) for e in entries], "GVIR_SEQ")
    for e in entries:
        kind = e["GVIR_EVENT"]
        check(e["SYSLOG_IDENTIFIER"] == "gvir-events" and e["GVIR_CONNECTION"] == uri, f"{e}")
        check(re.match(r"^[0-9a-f]{32}$", e["MESSAGE_ID"]) and e["MESSAGE_ID"] in catalog,
              f"MESSAGE_ID of {kind}: {e['MESSAGE_ID']} (in the catalog?)")
        check(ids.setdefault(kind, e["MESSAGE_ID"]) == e["MESSAGE_ID"], f"one MESSAGE_ID per kind: {kind}")
        check(isinstance(json.loads(e["GVIR_DATA"]), dict), f"GVIR_DATA {e['GVIR_DATA']!r}")
        want = {"disconnected": "4", "reconnected": "5"}.get(kind, "6")
        check(e["PRIORITY"] == want, f"PRIORITY of {kind}: {e['PRIORITY']}, not {want}")
        check(OBEYED.search(e["MESSAGE"]) is None, f"a raw control in MESSAGE {e['MESSAGE']!r}")
    check(len(set(ids.values())) == len(ids), f"MESSAGE_IDs of different kinds differ: {ids}")

    story = [e for e in entries if e.get("GVIR_DOMAIN") == name]
    want = [("defined", "added"), ("started", "booted"), ("suspended", "paused"),
            ("resumed", "unpaused"), ("stopped", "destroyed"), ("undefined", "removed")]
    check(len(story) == 6, f"the domain's entries: {story}")
    for e, (ev, detail) in zip(story, want):
        check(e["GVIR_EVENT"] == "lifecycle" and json.loads(e["GVIR_DATA"]) == {"event": ev, "detail": detail},
              f"{e}")
        check(e["MESSAGE"] == f"{name}  lifecycle {ev} ({detail})", f"MESSAGE {e['MESSAGE']!r}")
        check(re.match(r"^[0-9a-f-]{36}$", e["GVIR_UUID"]) and e["GVIR_UUID"] == story[0]["GVIR_UUID"], f"{e}")
    bad = [e for e in entries if e.get("GVIR_DOMAIN") == hostile]
    check(len(bad) >= 3, f"the hostile domain's entries, its name exact: {bad}")
    meta = [e for e in bad if e["GVIR_EVENT"] == "metadata-change"]
    check(json.loads(meta[0]["GVIR_DATA"]) == {"type": "element", "nsuri": "urn:\ufffd\ufffd\x1b[2J",
                                               "nsuri-bytes": list(b"urn:\xff\xfe\x1b[2J")}, f"{meta}")
    check("\\x0d" in bad[0]["MESSAGE"] and "\\u202e" in bad[0]["MESSAGE"], f"{bad[0]['MESSAGE']!r}")
    nets = [e for e in entries if e["GVIR_EVENT"] == "network-lifecycle"]
    check([json.loads(e["GVIR_DATA"])["event"] for e in nets] == ["defined", "started", "stopped", "undefined"]
          and all(e["GVIR_NETWORK"] == name and e["GVIR_UUID"] for e in nets), f"{nets}")
    pools = [e for e in entries if e["GVIR_EVENT"].startswith("storage-pool-")]
    check(len(pools) == 5 and all(e["GVIR_POOL"] == name for e in pools), f"{pools}")
    devs = [e for e in entries if e["GVIR_EVENT"] == "node-device-lifecycle"]
    check(len(devs) == 2 and all(e["GVIR_DEVICE"].startswith("scsi_host") for e in devs), f"{devs}")
    down = [e for e in entries if e["GVIR_EVENT"] == "disconnected"]
    up = [e for e in entries if e["GVIR_EVENT"] == "reconnected"]
    check(len(down) == 1 and len(up) == 1, f"{down} {up}")
    check(json.loads(up[0]["GVIR_DATA"])["outage_s"] >= 2.5, f"{up}")
    check_catalog(catalog_file, catalog)
    print(f"  {len(entries)} journal entries, {len(ids)} kinds, every field checked")
    journald.terminate()
    journald.wait(timeout=10)
    return 0


def check_catalog(catalog_file, ids):
    """The catalog as journalctl reads it: in this mount namespace only, the
    system's catalog directories are empty tmpfs but for ours; its database
    made by `journalctl --update-catalog`; `journalctl -x` explains."""
    import shutil
    source, database = "/usr/lib/systemd/catalog", "/var/lib/systemd/catalog"
    check(os.path.isdir(source) and os.path.isdir(database), f"no {source} or {database} (systemd)")
    for d in (source, database):
        subprocess.run(["mount", "-t", "tmpfs", "tmpfs", d], check=True)
    shutil.copy(catalog_file, source)
    r = subprocess.run(["journalctl", "--update-catalog"], capture_output=True, text=True, timeout=60)
    check(r.returncode == 0 and r.stderr == "", f"journalctl --update-catalog: {r}")
    r = subprocess.run(["journalctl", "--list-catalog"], capture_output=True, text=True, timeout=60)
    listed = {line.split()[0] for line in r.stdout.splitlines() if line.strip()}
    check(listed == ids, f"the catalog journalctl read: {len(listed)} ids, the file's {len(ids)}")
    r = subprocess.run(["journalctl", "--directory=/run/log/journal", "-x", "--no-pager",
                        "GVIR_EVENT=disconnected"], capture_output=True, text=True, timeout=60)
    check("gvir-events lost or regained its link to the libvirt daemon at test+unix" in r.stdout,
          f"journalctl -x: {r.stdout!r}")


def restart_daemon_plain(pause=3.0):
    control = os.environ["GVIR_EVENTS_CONTROL"]
    with open(control, "w") as f:
        f.write("kill\n")
    time.sleep(pause)
    with open(control, "w") as f:
        f.write("start\n")


def test_units():
    # the installed units, their ExecStart the build tree's tool: systemd-analyze verify
    import shutil
    import tempfile
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        print("test-cli: units needs systemd-analyze (systemd)", file=sys.stderr)
        return 1 if os.environ.get("GVIR_EVENTS_REQUIRE_HYPERVISOR") == "1" else SKIP
    tools = os.path.dirname(os.path.abspath(TOOL))      # the build tree's, as meson made them
    tmp = tempfile.mkdtemp(prefix="gvir-events-units-")
    try:
        for unit in ("gvir-events.service", "gvir-events@.service"):
            with open(os.path.join(tools, unit)) as f:
                text = f.read()
            check(not re.search(r"@[a-z_]+@", text), f"{unit}: an unreplaced @VARIABLE@")
            # the installed path of the tool, here the built one
            text = re.sub(r"^ExecStart=\S+/gvir-events ", f"ExecStart={TOOL} ", text, flags=re.M)
            for key in ("NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes",
                        "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6", "monitor --journal -c "):
                check(key in text, f"{unit} lacks {key}")
            check(re.search(r"^ProtectHome=(yes|read-only)$", text, re.M), f"{unit}: ProtectHome")
            path = os.path.join(tmp, unit)
            with open(path, "w") as f:
                f.write(text)
            r = subprocess.run([analyze, "verify", "--man=no", path], capture_output=True, text=True,
                               timeout=60)
            print(f"  systemd-analyze verify {unit}: {r.returncode} {r.stdout}{r.stderr}")
            check(r.returncode == 0 and r.stderr == "", f"{unit}: {r.stderr}")
        check("-c qemu:///system" in open(os.path.join(tmp, "gvir-events.service")).read(), "qemu:///system")
        check("-c %I" in open(os.path.join(tmp, "gvir-events@.service")).read(), "the template's URI")
        # a broken unit is seen: the check checks
        with open(os.path.join(tmp, "broken.service"), "w") as f:
            f.write("[Service]\nExecStart=/nonexistent/gvir-events\nNoNewPrivileges=maybe\n")
        r = subprocess.run([analyze, "verify", "--man=no", os.path.join(tmp, "broken.service")],
                           capture_output=True, text=True, timeout=60)
        check(r.returncode != 0 and r.stderr != "", "a broken unit passed")
    finally:
        shutil.rmtree(tmp, True)
    return 0


TRYING_IT = "<!-- tests/cli/test-cli.py runs the next block as it is (cli-trying-it) -->\n```sh\n"


def test_trying_it():
    # docs/gvir-events.md's "Trying it" recipe, run as a newcomer pastes it:
    # its own private libvirtd, the monitor, two events from another process
    doc = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs",
                       "gvir-events.md")
    with open(doc, encoding="utf-8") as f:
        text = f.read()
    check(TRYING_IT in text, "docs/gvir-events.md has no block for this test")
    block = text.split(TRYING_IT, 1)[1].split("\n```\n", 1)[0]
    if not os.access("/usr/sbin/libvirtd", os.X_OK):
        print("test-cli: the recipe needs /usr/sbin/libvirtd", file=sys.stderr)
        return 1 if os.environ.get("GVIR_EVENTS_REQUIRE_HYPERVISOR") == "1" else SKIP
    # `gvir-events` and `python3` as on a Debian system with the tool installed
    env = dict(os.environ, NO_COLOR="1",
               PATH=os.path.dirname(TOOL) + ":/usr/bin:/bin")
    proc = subprocess.Popen(["bash", "-e", "-c", block], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        raise AssertionError(f"the recipe did not end in 60 s: {out!r} {err!r}")
    print(out)
    print(err, file=sys.stderr)
    check(proc.returncode == 0, f"the recipe: status {proc.returncode}")
    lines = out.splitlines()
    check(len(lines) == 2, f"the recipe printed {lines}")
    check(re.match(r"^\d\d:\d\d:\d\d  test  lifecycle suspended \(paused\)$", lines[0]), lines[0])
    check(re.match(r"^\d\d:\d\d:\d\d  test  lifecycle resumed \(unpaused\)$", lines[1]), lines[1])
    check(err == "", f"the recipe wrote on stderr: {err}")
    return 0


TESTS = {"errors": test_errors, "json": test_json, "human": test_human,
         "hosts": test_hosts, "demo": test_demo, "hostile": test_hostile,
         "trying-it": test_trying_it, "service": test_service, "seq": test_seq,
         "cloudevents": test_cloudevents, "journal": test_journal, "units": test_units}

if __name__ == "__main__":
    sys.exit(TESTS[sys.argv[2]]())
