#!/usr/bin/python3
# probe-raw.py: raw libvirt-python probe of which domain events the real
# stack raises, without libvirt-gevents.  A debugging aid, run under the
# harness:
#
#   hv-harness run --guest-dir BUILD/tests/integration -- \
#       tests/integration/probe-raw.py [SCENARIO ...]
#
# Prints every event libvirt delivers for each scenario.

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid

import libvirt

E = os.environ
URI = E["GVIR_EVENTS_TEST_URI"]
TMP = E["GVIR_EVENTS_TEST_DIR"]
GUESTS = E["GVIR_EVENTS_GUEST_DIR"]
DOMAINS = E["GVIR_EVENTS_DOMAIN_DIR"]
PREFIX = E["GVIR_EVENTS_DOMAIN_PREFIX"]
QEMU_IMG = E.get("GVIR_EVENTS_QEMU_IMG", "")

events = []
lock = threading.Condition()
T0 = time.monotonic()


def note(dom, kind, *args):
    with lock:
        events.append((dom.name(), kind, args))
        lock.notify_all()
    print(f"  [{time.monotonic() - T0:6.2f}] {dom.name()}: {kind} {args}",
          flush=True)


def wait_for(pred, timeout=15):
    deadline = time.monotonic() + timeout
    with lock:
        while not pred():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            lock.wait(left)
    return True


def have(name, kind):
    return any(e[0] == name and e[1] == kind for e in events)


def template(name, **kw):
    with open(os.path.join(DOMAINS, name + ".xml")) as f:
        text = f.read()
    for k, v in kw.items():
        text = text.replace(f"@{k}@", str(v))
    assert "@" not in text, text
    return text


def boot_disk(name, mode):
    path = os.path.join(TMP, name + "-boot.img")
    shutil.copy(os.path.join(GUESTS, f"guest-{mode}.img"), path)
    os.truncate(path, 1 << 20)
    return path


def domain_xml(name, mode, devices="", extra=""):
    return template("guest", NAME=name, UUID=uuid.uuid4(), EXTRA=extra,
                    BOOT_IMAGE=boot_disk(name, mode), DEVICES=devices)


def nbd_disk(policy, target="hdb", bus="ide", sock="GVIR_EVENTS_NBD_SOCKET"):
    return template("nbd-disk", POLICY=policy, TARGET=target, BUS=bus,
                    NBD_EXPORT=E["GVIR_EVENTS_NBD_EXPORT"],
                    NBD_SOCKET=E[sock])


def file_disk(path, target, fmt="raw", bus="ide"):
    return template("file-disk", PATH=path, TARGET=target, FORMAT=fmt, BUS=bus)


def register_all(conn):
    C = libvirt
    conn.domainEventRegisterAny(None, C.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                lambda c, d, ev, det, o: note(d, "lifecycle", ev, det), None)
    conn.domainEventRegisterAny(None, C.VIR_DOMAIN_EVENT_ID_REBOOT,
                                lambda c, d, o: note(d, "reboot"), None)
    conn.domainEventRegisterAny(None, C.VIR_DOMAIN_EVENT_ID_RTC_CHANGE,
                                lambda c, d, off, o: note(d, "rtc-change", off), None)
    conn.domainEventRegisterAny(None, C.VIR_DOMAIN_EVENT_ID_WATCHDOG,
                                lambda c, d, a, o: note(d, "watchdog", a), None)
    conn.domainEventRegisterAny(None, C.VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON,
                                lambda c, d, p, dev, a, r, o: note(d, "io-error-reason", p, dev, a, r), None)
    conn.domainEventRegisterAny(None, C.VIR_DOMAIN_EVENT_ID_GRAPHICS,
                                lambda c, d, ph, loc, rem, auth, subj, o: note(d, "graphics", ph, loc, rem, auth, subj), None)
    conn.domainEventRegisterAny(None, C.VIR_DOMAIN_EVENT_ID_CONTROL_ERROR,
                                lambda c, d, o: note(d, "control-error"), None)
    conn.domainEventRegisterAny(None, C.VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2,
                                lambda c, d, disk, t, st, o: note(d, "block-job-2", disk, t, st), None)
    conn.domainEventRegisterAny(None, C.VIR_DOMAIN_EVENT_ID_DISK_CHANGE,
                                lambda c, d, old, new, alias, r, o: note(d, "disk-change", old, new, alias, r), None)
    conn.domainEventRegisterAny(None, C.VIR_DOMAIN_EVENT_ID_TRAY_CHANGE,
                                lambda c, d, alias, r, o: note(d, "tray-change", alias, r), None)
    conn.domainEventRegisterAny(None, C.VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE,
                                lambda c, d, a, o: note(d, "balloon-change", a), None)
    conn.domainEventRegisterAny(None, C.VIR_DOMAIN_EVENT_ID_DEVICE_ADDED,
                                lambda c, d, a, o: note(d, "device-added", a), None)
    conn.domainEventRegisterAny(None, C.VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED,
                                lambda c, d, a, o: note(d, "device-removed", a), None)
    conn.domainEventRegisterAny(None, C.VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED,
                                lambda c, d, a, o: note(d, "device-removal-failed", a), None)
    conn.domainEventRegisterAny(None, C.VIR_DOMAIN_EVENT_ID_TUNABLE,
                                lambda c, d, p, o: note(d, "tunable", p), None)
    conn.domainEventRegisterAny(None, C.VIR_DOMAIN_EVENT_ID_JOB_COMPLETED,
                                lambda c, d, p, o: note(d, "job-completed", p), None)
    conn.domainEventRegisterAny(None, C.VIR_DOMAIN_EVENT_ID_METADATA_CHANGE,
                                lambda c, d, t, ns, o: note(d, "metadata-change", t, ns), None)
    conn.domainEventRegisterAny(None, C.VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD,
                                lambda c, d, dev, path, th, ex, o: note(d, "block-threshold", dev, path, th, ex), None)
    conn.domainEventRegisterAny(None, C.VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE,
                                lambda c, d, st, r, o: note(d, "agent-lifecycle", st, r), None)
    conn.domainEventRegisterAny(None, C.VIR_DOMAIN_EVENT_ID_PMSUSPEND,
                                lambda c, d, r, o: note(d, "pmsuspend", r), None)
    conn.domainEventRegisterAny(None, C.VIR_DOMAIN_EVENT_ID_PMSUSPEND_DISK,
                                lambda c, d, r, o: note(d, "pmsuspend-disk", r), None)
    conn.domainEventRegisterAny(None, C.VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION,
                                lambda c, d, it, o: note(d, "migration-iteration", it), None)
    conn.domainEventRegisterAny(None, C.VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE,
                                lambda c, d, a, sz, o: note(d, "memdev-size", a, sz), None)
    conn.domainEventRegisterAny(None, C.VIR_DOMAIN_EVENT_ID_PMWAKEUP,
                                lambda c, d, r, o: note(d, "pmwakeup", r), None)


def start(conn, name, mode, devices="", extra=""):
    print(f"== {name} ({mode})", flush=True)
    return conn.createXML(domain_xml(name, mode, devices, extra), 0)


def settle(seconds):
    time.sleep(seconds)


def s_lifecycle(conn):
    n = PREFIX + "life"
    d = start(conn, n, "idle")
    settle(1)
    d.suspend(); settle(0.5)
    d.resume(); settle(0.5)
    d.setMetadata(libvirt.VIR_DOMAIN_METADATA_ELEMENT, "<x/>", "gv",
                  "http://example.org/gvir", libvirt.VIR_DOMAIN_AFFECT_LIVE)
    d.setMetadata(libvirt.VIR_DOMAIN_METADATA_DESCRIPTION, "hello", None, None,
                  libvirt.VIR_DOMAIN_AFFECT_LIVE)
    d.pinVcpu(0, (True, True))
    d.reset(0)
    settle(1)
    d.destroy()
    settle(0.5)


def s_watchdog(conn):
    for action in ("none", "pause"):
        n = PREFIX + "wd-" + action
        d = start(conn, n, "watchdog", template("watchdog", ACTION=action))
        print("  watchdog event:", wait_for(lambda: have(n, "watchdog"), 20))
        settle(1)
        d.destroy()


def s_rtc(conn):
    n = PREFIX + "rtc"
    d = start(conn, n, "rtc")
    ok = wait_for(lambda: have(n, "rtc-change"), 10)
    print("  rtc event:", ok, "expected offset ~", 981173106 - int(time.time()))
    d.destroy()


def s_ioerror(conn):
    for policy in ("report", "stop"):
        n = PREFIX + "io-" + policy
        d = start(conn, n, "ioerror", nbd_disk(policy) if policy == "report" else nbd_disk(policy, "sda", "sata"))
        print("  io error event:", wait_for(lambda: have(n, "io-error-reason"), 15))
        settle(1)
        print("  state", d.state())
        if policy == "stop":
            d.resume()
            settle(2)
        d.destroy()


def s_threshold(conn):
    n = PREFIX + "wm"
    data = os.path.join(TMP, n + "-data.img")
    with open(data, "wb") as f:
        f.truncate(1 << 20)
    d = start(conn, n, "diskwrite", file_disk(data, "hdb"))
    settle(1)
    d.setBlockThreshold("hdb", 4096)
    print("  threshold:", wait_for(lambda: have(n, "block-threshold"), 10))
    settle(1)
    d.setBlockThreshold("hdb", 4096)
    settle(2)
    d.destroy()


def s_reset(conn):
    n = PREFIX + "reset"
    d = start(conn, n, "reset")
    print("  reboot:", wait_for(lambda: have(n, "reboot"), 10))
    settle(3)
    d.destroy()


def s_vnc(conn):
    n = PREFIX + "vnc"
    d = start(conn, n, "idle", template("vnc"))
    import xml.etree.ElementTree as ET
    port = int(ET.fromstring(d.XMLDesc()).find("devices/graphics").get("port"))
    s = socket.create_connection(("127.0.0.1", port))
    print("  client", s.getsockname())
    ver = s.recv(12)
    s.sendall(b"RFB 003.008\n")
    n_types = s.recv(1)[0]
    types = s.recv(n_types)
    print("  server", ver, "sec types", list(types))
    s.sendall(b"\x01")
    print("  security result", s.recv(4))
    s.sendall(b"\x01")  # ClientInit shared
    init = s.recv(24)
    print("  server init", len(init))
    settle(1)
    s.close()
    wait_for(lambda: sum(1 for e in events if e[0] == n and e[1] == "graphics") >= 3, 10)
    d.destroy()


def s_blockjob(conn):
    if not QEMU_IMG:
        print("no qemu-img")
        return
    n = PREFIX + "bj"
    base = os.path.join(TMP, n + "-base.qcow2")
    top = os.path.join(TMP, n + "-top.qcow2")
    subprocess.run([QEMU_IMG, "create", "-q", "-f", "qcow2", base, "1M"], check=True)
    subprocess.run([QEMU_IMG, "create", "-q", "-f", "qcow2", "-b", base, "-F",
                    "qcow2", top], check=True)
    disk = """
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='%s'/>
      <backingStore type='file'>
        <format type='qcow2'/>
        <source file='%s'/>
      </backingStore>
      <target dev='hdb' bus='ide'/>
    </disk>""" % (top, base)
    d = start(conn, n, "idle", disk)
    settle(1)
    print(" blockpull")
    d.blockPull("hdb", 0, 0)
    wait_for(lambda: have(n, "block-job-2"), 15)
    settle(1)
    print(" blockcopy")
    dest = os.path.join(TMP, n + "-copy.qcow2")
    d.blockCopy("hdb", "<disk type='file'><source file='%s'/><driver type='qcow2'/></disk>" % dest,
                None, libvirt.VIR_DOMAIN_BLOCK_COPY_TRANSIENT_JOB)
    settle(3)
    print(" job info", d.blockJobInfo("hdb", 0))
    d.blockJobAbort("hdb", libvirt.VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT)
    settle(2)
    print(" blockcommit (active)")
    try:
        d.blockCommit("hdb", None, None, 0, libvirt.VIR_DOMAIN_BLOCK_COMMIT_ACTIVE)
        settle(3)
        print(" job info", d.blockJobInfo("hdb", 0))
        d.blockJobAbort("hdb", libvirt.VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT)
        settle(2)
    except libvirt.libvirtError as e:
        print("  commit:", e)
    d.destroy()


def s_devices(conn):
    n = PREFIX + "dev"
    iso = os.path.join(TMP, n + "-a.iso")
    iso2 = os.path.join(TMP, n + "-b.iso")
    for p in (iso, iso2):
        with open(p, "wb") as f:
            f.truncate(1 << 20)
    d = start(conn, n, "idle", template("cdrom", PATH=iso, TARGET="hdc"))
    settle(1)
    print(" eject")
    d.updateDeviceFlags("<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>",
                        libvirt.VIR_DOMAIN_AFFECT_LIVE)
    settle(1)
    print(" insert")
    d.updateDeviceFlags("<disk type='file' device='cdrom'><source file='%s'/><target dev='hdc' bus='ide'/><readonly/></disk>" % iso2,
                        libvirt.VIR_DOMAIN_AFFECT_LIVE)
    settle(1)
    for label, xml in (
            ("usb-disk", "<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='%s'/><target dev='sdb' bus='usb'/></disk>" % iso),
            ("usb-tablet", "<input type='tablet' bus='usb'><alias name='ua-tab'/></input>"),
            ("usb-kbd", "<input type='keyboard' bus='usb'/>"),
            ("virtio-disk", "<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='%s'/><target dev='vdb' bus='virtio'/></disk>" % iso2)):
        print(" attach", label)
        try:
            d.attachDeviceFlags(xml, libvirt.VIR_DOMAIN_AFFECT_LIVE)
            settle(1)
            print(" detach", label)
            d.detachDeviceFlags(xml, libvirt.VIR_DOMAIN_AFFECT_LIVE)
            settle(2)
        except libvirt.libvirtError as e:
            print("   ", e)
    d.destroy()


def s_job(conn):
    n = PREFIX + "job"
    d = start(conn, n, "idle")
    settle(1)
    save = os.path.join(TMP, n + ".save")
    print(" save")
    try:
        d.save(save)
        settle(1)
        print(" restore")
        conn.restore(save)
        settle(1)
    except libvirt.libvirtError as e:
        print("   ", e)
    d = conn.lookupByName(n)
    print(" dump")
    try:
        d.coreDump(os.path.join(TMP, n + ".core"), libvirt.VIR_DUMP_MEMORY_ONLY)
    except libvirt.libvirtError as e:
        print("   ", e)
    settle(1)
    print(" managed-save style via migrate to file? no; snapshot")
    d.destroy()


def s_control(conn):
    n = PREFIX + "ctl"
    d = start(conn, n, "idle")
    settle(1)
    d.destroy()


def s_iostop(conn):
    for bus, target in (("sata", "sda"), ("virtio", "vdb"), ("scsi", "sdb")):
        n = PREFIX + "iostop-" + bus
        extra = "<controller type='scsi' model='virtio-scsi'/>" if bus == "scsi" else ""
        d = start(conn, n, "ioerror", nbd_disk("stop", target, bus) + extra)
        print("  io error event:", wait_for(lambda: have(n, "io-error-reason"), 8))
        settle(1)
        print("  state", d.state())
        if d.state()[0] == libvirt.VIR_DOMAIN_PAUSED:
            d.resume()
            settle(2)
            print("  state", d.state())
        d.destroy()


def s_pm(conn):
    n = PREFIX + "s3"
    d = start(conn, n, "s3")
    print("  pmsuspend:", wait_for(lambda: have(n, "pmsuspend"), 15))
    settle(1)
    print("  state", d.state())
    d.pMWakeup(0)
    print("  pmwakeup:", wait_for(lambda: have(n, "pmwakeup"), 15))
    settle(2)
    print("  state", d.state())
    d.destroy()
    n = PREFIX + "s4"
    d = start(conn, n, "s4")
    print("  pmsuspend-disk:", wait_for(lambda: have(n, "pmsuspend-disk"), 15))
    settle(2)


def s_balloon(conn):
    n = PREFIX + "balloon"
    d = start(conn, n, "balloon")
    print("  balloon:", wait_for(lambda: have(n, "balloon-change"), 15))
    print("  info", d.info())
    d.destroy()


def s_agent(conn):
    n = PREFIX + "agent"
    d = start(conn, n, "idle", "<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>")
    settle(2)
    d.destroy()


def s_migiter(conn):
    n = PREFIX + "mig"
    d = start(conn, n, "idle")
    settle(1)
    d.save(os.path.join(TMP, n + ".save"))
    settle(1)


def s_control(conn):
    import libvirt_qemu
    n = PREFIX + "ctl"
    d = start(conn, n, "idle")
    settle(1)
    try:
        r = libvirt_qemu.qemuMonitorCommand(d, "xp /2000000xb 0", libvirt_qemu.VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP)
        print("  reply", len(r))
    except libvirt.libvirtError as e:
        print("  monitor:", e)
    settle(1)
    print("  control-error:", have(n, "control-error"))
    d.destroy()


def s_diskchange(conn):
    n = PREFIX + "dc"
    missing = os.path.join(TMP, "no-such.iso")
    disk = """<disk type='file' device='cdrom'><driver name='qemu' type='raw'/>
      <source file='%s' startupPolicy='optional'/><target dev='hdc' bus='ide'/><readonly/></disk>""" % missing
    x = domain_xml(n, "idle", disk)
    d = conn.defineXML(x)
    d.create()
    settle(1)
    d.destroy()
    d.undefine()


def s_commit(conn):
    n = PREFIX + "cm"
    base = os.path.join(TMP, n + "-base.qcow2")
    mid = os.path.join(TMP, n + "-mid.qcow2")
    top = os.path.join(TMP, n + "-top.qcow2")
    subprocess.run([QEMU_IMG, "create", "-q", "-f", "qcow2", base, "1M"], check=True)
    subprocess.run([QEMU_IMG, "create", "-q", "-f", "qcow2", "-b", base, "-F", "qcow2", mid], check=True)
    subprocess.run([QEMU_IMG, "create", "-q", "-f", "qcow2", "-b", mid, "-F", "qcow2", top], check=True)
    disk = """
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='%s'/>
      <target dev='hdb' bus='ide'/>
    </disk>""" % top
    d = start(conn, n, "idle", disk)
    settle(1)
    print(d.XMLDesc().count("backingStore"))
    d.blockCommit("hdb", base, mid, 0, 0)
    settle(2)
    d.blockCommit("hdb", None, None, 0, libvirt.VIR_DOMAIN_BLOCK_COMMIT_ACTIVE)
    settle(2)
    d.blockJobAbort("hdb", libvirt.VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT)
    settle(2)
    d.destroy()


def s_spice(conn):
    import struct
    import xml.etree.ElementTree as ET
    n = PREFIX + "spice"
    d = start(conn, n, "idle", "<graphics type='spice' port='-1' autoport='yes' listen='127.0.0.1'/>")
    g = ET.fromstring(d.XMLDesc()).find("devices/graphics")
    print("  ", ET.tostring(g))
    port = int(g.get("port"))
    s = socket.create_connection(("127.0.0.1", port))
    print("  client", s.getsockname())
    mess = struct.pack("<IBBIII", 0, 1, 0, 0, 0, 18)
    s.sendall(struct.pack("<4sIII", b"REDQ", 2, 2, len(mess)) + mess)
    hdr = s.recv(16, socket.MSG_WAITALL)
    magic, major, minor, size = struct.unpack("<4sIII", hdr)
    print("  reply", magic, major, minor, size)
    body = s.recv(size, socket.MSG_WAITALL)
    print("  error", struct.unpack("<I", body[:4]))
    s.sendall(b"\0" * 128)
    print("  link result", s.recv(4, socket.MSG_WAITALL))
    settle(1)
    s.close()
    wait_for(lambda: sum(1 for e in events if e[0] == n and e[1] == "graphics") >= 3, 10)
    d.destroy()


def s_enospc(conn):
    for policy in ("report", "stop"):
        n = PREFIX + "enospc-" + policy
        d = start(conn, n, "ioerror", nbd_disk(policy, "sda", "sata", "GVIR_EVENTS_NBD_ENOSPC_SOCKET"))
        print("  io error event:", wait_for(lambda: have(n, "io-error-reason"), 8))
        settle(1)
        print("  state", d.state())
        d.destroy()


DIMM = """<memory model='dimm'><target><size unit='MiB'>128</size><node>0</node></target><alias name='ua-dimm0'/></memory>"""


def s_dimm(conn):
    n = PREFIX + "dimm"
    extra = """<maxMemory slots='2' unit='MiB'>1024</maxMemory>
  <cpu><numa><cell id='0' cpus='0' memory='16' unit='MiB'/></numa></cpu>
"""
    d = start(conn, n, "dimm", DIMM, extra)
    settle(1)
    try:
        d.detachDeviceFlags(DIMM, libvirt.VIR_DOMAIN_AFFECT_LIVE)
        print("  detach returned")
    except libvirt.libvirtError as e:
        print("  detach:", e)
    print("  removal failed:", wait_for(lambda: have(n, "device-removal-failed"), 10))
    d.destroy()


def s_mce(conn):
    import libvirt_qemu
    conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_MEMORY_FAILURE,
                                lambda c, d, r, a, f, o: note(d, "memory-failure", r, a, f), None)
    n = PREFIX + "mce"
    d = start(conn, n, "idle")
    settle(1)
    for st in ("0x8080000000000000", "0xa080000000000000"):
        r = libvirt_qemu.qemuMonitorCommand(d, "mce 0 1 %s 0 0 0" % st, libvirt_qemu.VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP)
        print("  mce reply", repr(r))
        settle(1)
    d.destroy()


def s_spice2(conn):
    import struct
    import xml.etree.ElementTree as ET
    n = PREFIX + "spice"
    d = start(conn, n, "idle", "<graphics type='spice' port='-1' autoport='yes' listen='127.0.0.1'/>")
    g = ET.fromstring(d.XMLDesc()).find("devices/graphics")
    port = int(g.get("port"))
    s = socket.create_connection(("127.0.0.1", port))
    mess = struct.pack("<IBBIII", 0, 1, 0, 0, 0, 18)
    s.sendall(struct.pack("<4sIII", b"REDQ", 2, 2, len(mess)) + mess)
    hdr = s.recv(16, socket.MSG_WAITALL)
    magic, major, minor, size = struct.unpack("<4sIII", hdr)
    body = s.recv(size, socket.MSG_WAITALL)
    key = body[4:4 + 162]
    open(os.path.join(TMP, "k.der"), "wb").write(key)
    r = subprocess.run(["openssl", "pkeyutl", "-encrypt", "-pubin", "-keyform", "DER", "-inkey",
                        os.path.join(TMP, "k.der"), "-pkeyopt", "rsa_padding_mode:oaep"],
                       input=b"\0", capture_output=True)
    print("  openssl", r.returncode, len(r.stdout), r.stderr)
    s.sendall(r.stdout)
    print("  link result", s.recv(4, socket.MSG_WAITALL))
    settle(1)
    s.close()
    wait_for(lambda: sum(1 for e in events if e[0] == n and e[1] == "graphics") >= 3, 10)
    d.destroy()


SCENARIOS = {k[2:]: v for k, v in globals().items() if k.startswith("s_")}


def main():
    libvirt.virEventRegisterDefaultImpl()
    conn = libvirt.open(URI)
    register_all(conn)

    def loop():
        while True:
            libvirt.virEventRunDefaultImpl()
    threading.Thread(target=loop, daemon=True).start()
    names = sys.argv[1:] or list(SCENARIOS)
    for name in names:
        t = time.monotonic()
        try:
            SCENARIOS[name](conn)
        except libvirt.libvirtError as e:
            print(f"  {name}: libvirt error: {e}")
        print(f"  ({name}: {time.monotonic() - t:.1f} s)", flush=True)
    time.sleep(0.5)
    conn.close()


if __name__ == "__main__":
    main()
