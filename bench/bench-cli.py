#!/usr/bin/python3
# bench-cli.py: what gvir-events costs per event, in each output, against
# `virsh event --all --loop`, on one stream (issue 22); and one tool
# watching many daemons (memory per host, start time).
#
#   hv-harness run --daemons 1 -- bench-cli.py GVIR_EVENTS stream [EVENTS]
#   hv-harness run --daemons N -- bench-cli.py GVIR_EVENTS hosts
#
# stream: the five consumers (gvir-events --format text, json, cloudevents,
# --journal into a systemd-journald of this run, and virsh) listen to the
# harness daemon's test driver at once; a generator makes EVENTS lifecycle
# events (suspend/resume of the driver's `test` domain); each consumer's
# CPU time (utime + stime from /proc) is read once it listens and again
# once it has reported every event: CPU per event, and the rate the stream
# reached it.  Run as PID 1 of private mount and PID namespaces (it re-runs
# itself so), where a tmpfs on /run holds the journal.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import json
import os
import queue
import subprocess
import sys
import threading
import time

import libvirt

TOOL = os.path.abspath(sys.argv[1])
MODE = sys.argv[2]
TICK = os.sysconf("SC_CLK_TCK")
ROUNDS = int(os.environ.get("BENCH_CLI_ROUNDS", "5"))
PREFIX = os.environ.get("GVIR_EVENTS_DOMAIN_PREFIX", "gvirev-")
DOMAIN_XML = ("<domain type='test'><name>{name}</name><memory>65536</memory>"
              "<os><type>hvm</type></os></domain>")
libvirt.registerErrorHandler(lambda ctx, err: None, None)


def socket_uri(sock):
    return f"test+unix:///default?socket={sock}"


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK      # utime, stime


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Consumer:
    """A process whose stdout lines are counted (matching `stream`) as they come."""

    def __init__(self, name, argv, stream):
        self.name = name
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env=dict(os.environ, NO_COLOR="1"))
        self.stream = stream
        self.lines = queue.Queue()
        self.count = 0
        self.done_at = None
        self.want = None
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line)
            if self.stream in line:
                self.count += 1
                if self.want and self.count == self.want:
                    self.done_at = time.monotonic()

    def heard(self, text):
        found = False
        while not self.lines.empty():
            found |= text in self.lines.get()
        return found

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


class JournalConsumer:
    """gvir-events --journal: its entries counted with journalctl."""

    def __init__(self, argv, stream):
        self.name = "gvir-events --journal"
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.stream = stream
        self.count = 0
        self.done_at = None
        self.want = None

    def entries(self, domain):
        r = subprocess.run(["journalctl", "--directory=/run/log/journal", "-q", "-o", "cat",
                            "SYSLOG_IDENTIFIER=gvir-events", f"GVIR_DOMAIN={domain}"],
                           capture_output=True, text=True)
        return len(r.stdout.splitlines())

    def heard(self, text):
        return self.entries(text) > 0

    def poll(self):
        self.count = self.entries(self.stream)
        if self.want and self.count >= self.want and not self.done_at:
            self.done_at = time.monotonic()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


def start_journald():
    subprocess.run(["mount", "-t", "tmpfs", "tmpfs", "/run"], check=True)
    os.makedirs("/run/systemd/journal")
    journald = subprocess.Popen(["/lib/systemd/systemd-journald"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    while not os.path.exists("/run/systemd/journal/socket"):
        time.sleep(0.05)
    return journald


def until_all_listen(conn, consumers, what="probe"):
    pending = list(consumers)
    for i in range(200):
        name = f"{PREFIX}{what}{i}"
        conn.defineXML(DOMAIN_XML.format(name=name)).undefine()
        time.sleep(0.3)
        pending = [c for c in pending if not c.heard(name)]
        if not pending:
            return
    raise SystemExit(f"never listened: {[c.name for c in pending]}")


def bench_stream(n_events):
    if os.environ.get("BENCH_CLI_NS") != "1":
        return reexec_in_namespaces({})
    journald = start_journald()
    uri = socket_uri(os.path.join(os.environ["GVIR_EVENTS_TEST_DIR"], "libvirt-sock"))
    conn = libvirt.open(uri)
    dom = conn.lookupByName("test")
    stream = "test"         # the domain the stream is about: in each line or entry
    consumers = [
        Consumer("gvir-events (text)", [TOOL, "monitor", "-c", uri], "  test  "),
        Consumer("gvir-events --format json", [TOOL, "monitor", "-c", uri, "--format", "json"],
                 '"domain":"test"'),
        Consumer("gvir-events --format cloudevents", [TOOL, "monitor", "-c", uri, "--format",
                                                      "cloudevents"], '"subject":"test"'),
        JournalConsumer([TOOL, "monitor", "-c", uri, "--journal"], stream),
        Consumer("virsh event --all --loop", ["virsh", "-c", uri, "event", "--all", "--loop"],
                 "domain 'test'"),
    ]
    until_all_listen(conn, consumers)
    time.sleep(1)
    rounds = []                         # per round: name -> (CPU s, seconds to see them all)
    for r in range(ROUNDS):
        before = {c.name: cpu_seconds(c.proc.pid) for c in consumers}
        journald_before = cpu_seconds(journald.pid)
        for c in consumers:
            c.want = (r + 1) * n_events
            c.done_at = None
        start = time.monotonic()
        for _ in range(n_events // 2):
            dom.suspend()
            dom.resume()
        generated = time.monotonic() - start
        deadline = time.monotonic() + 300
        while any(c.count < c.want for c in consumers) and time.monotonic() < deadline:
            time.sleep(0.2)
            for c in consumers:
                if isinstance(c, JournalConsumer):
                    c.poll()
        time.sleep(0.5)
        rounds.append(({c.name: (cpu_seconds(c.proc.pid) - before[c.name],
                                 (c.done_at or time.monotonic()) - start) for c in consumers},
                       cpu_seconds(journald.pid) - journald_before, generated))

    def median(values):
        return sorted(values)[len(values) // 2]

    print(f"bench-cli stream: {ROUNDS} rounds of {n_events} lifecycle events (test driver, private "
          f"libvirtd), all consumers at once; the median round; generated at "
          f"{median([n_events / g for _, _, g in rounds]):.0f}/s")
    print("| consumer | CPU per event (µs) | max events/s (1 / CPU) | events/s reached |")
    print("|---|---|---|---|")
    for c in consumers:
        per = median([r[0][c.name][0] for r in rounds]) / n_events * 1e6
        rate = median([n_events / r[0][c.name][1] for r in rounds])
        print(f"| {c.name} | {per:.1f} | {1e6 / per if per else float('inf'):.0f} | {rate:.0f} |")
    print(f"(journald's own CPU for the journal's entries: "
          f"{median([j for _, j, _ in rounds]) / n_events * 1e6:.1f} µs per event; "
          f"CPU from /proc at {TICK} Hz; every round's: "
          + "; ".join(" ".join(f"{r[0][c.name][0] / n_events * 1e6:.0f}" for c in consumers)
                      for r in rounds) + ")")
    ok = all(c.count >= ROUNDS * n_events for c in consumers)
    for c in consumers:
        c.stop()
    conn.close()
    journald.terminate()
    return 0 if ok else 1


def reexec_in_namespaces(extra_env):
    """Again, as PID 1 of private mount and PID namespaces with their own
    /proc (--mount-proc: where the consumers' PIDs are); everything it
    starts dies with it."""
    return subprocess.run(["unshare", "--mount", "--propagation", "private", "--pid", "--fork",
                           "--mount-proc", "--kill-child", sys.executable, *sys.argv],
                          env=dict(os.environ, BENCH_CLI_NS="1", **extra_env)).returncode


def bench_hosts():
    if os.environ.get("BENCH_CLI_NS") != "1":
        return reexec_in_namespaces({})
    socks = os.environ.get("GVIR_EVENTS_DAEMON_SOCKETS", "").split(":")
    uris = [socket_uri(s) for s in socks]
    results = []
    for n in sorted({1, len(uris)}):
        # every kind, as the service watches (guest agents not asked: the
        # test driver's domains have none)
        args = [TOOL, "monitor", "--format", "json", "--guest-users-interval", "0"]
        for uri in uris[:n]:
            args += ["-c", uri]
        start = time.monotonic()
        c = Consumer(f"{n} hosts", args, "defined")
        conns = [libvirt.open(u) for u in uris[:n]]
        pending = set(range(n))
        for i in range(300):
            for h in pending:
                conns[h].defineXML(DOMAIN_XML.format(name=f"{PREFIX}h{h}-p{i}")).undefine()
            time.sleep(0.05)
            while not c.lines.empty():
                e = json.loads(c.lines.get())
                if e["event"] == "lifecycle":
                    pending.discard(uris.index(e["connection"]))
            if not pending:
                break
        listening = time.monotonic() - start
        time.sleep(1)
        rss = rss_kib(c.proc.pid)
        results.append((n, listening, rss))
        c.stop()
        for conn in conns:
            conn.close()
    print(f"bench-cli hosts: one gvir-events watching N private libvirtds (test driver)")
    print("| hosts | every host heard after (s) | RSS (KiB) |")
    print("|---|---|---|")
    for n, listening, rss in results:
        print(f"| {n} | {listening:.2f} | {rss} |")
    if len(results) == 2:
        (n1, _, r1), (n2, _, r2) = results
        print(f"memory per host: {(r2 - r1) / (n2 - n1):.0f} KiB")
    return 0


if __name__ == "__main__":
    if MODE == "stream":
        sys.exit(bench_stream(int(sys.argv[3]) if len(sys.argv) > 3 else 6000))
    sys.exit(bench_hosts())
