#!/usr/bin/python3
# vnc-tls-sasl.py: the far side of test-vnc-auth (tests/integration).
#
#   vnc-tls-sasl.py setup TLS_DIR SASL_DIR CLIENT_DIR SUBJECT USER PASSWORD
#   vnc-tls-sasl.py connect PORT CLIENT_DIR USER PASSWORD [--no-cert]
#
# `setup` makes, with openssl, a CA and a server certificate for 127.0.0.1
# in TLS_DIR (the names QEMU's tls-creds-x509 reads), a client certificate
# of distinguished name SUBJECT (openssl's /K=V/... form) signed by the CA
# and the CA's certificate in CLIENT_DIR; with saslpasswd2, a sasldb in
# SASL_DIR holding USER and PASSWORD; and SASL_DIR/qemu.conf, the SASL
# config QEMU reads (appname "qemu"), offering SCRAM-SHA-256 from that db.
#
# `connect` is a VNC client: RFB 3.8, security type VeNCrypt (19), sub-type
# X509SASL (263), a TLS handshake presenting CLIENT_DIR's certificate (none
# with --no-cert) and checking the server's against the CA, then QEMU's SASL
# exchange (ui/vnc-auth-sasl.c: mechanism list, start, steps; every string
# sent with its NUL) with a SCRAM-SHA-256 client (RFC 5802/7677), then
# ClientInit/ServerInit.  It reports on stdout, one line each:
#   local NODE SERVICE   its own end of the TCP connection, once connected
#   security TYPES SUBTYPES  the security types and VeNCrypt sub-types the
#                        server offered (comma-separated numbers)
#   mechlist LIST        the mechanisms QEMU offered
#   initialized NAME     ServerInit received: the session is up
#   rejected STAGE       the server ended the connection during STAGE (tls,
#                        sasl); it then exits 0
# after "initialized" it keeps the connection until its stdin is closed or
# gives a line.  Any other failure: a message on stderr and exit 1.

import base64
import hashlib
import hmac
import os
import socket
import ssl
import struct
import subprocess
import sys

VENCRYPT = 19
X509SASL = 263
MECH = "SCRAM-SHA-256"


def run(*argv, stdin=None):
    subprocess.run(argv, input=stdin, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)


def certificate(out_dir, name, subject, extensions, ca_dir=None):
    """An RSA key and certificate: self-signed, or signed by ca_dir's CA."""
    argv = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
            "-days", "1", "-subj", subject,
            "-keyout", os.path.join(out_dir, name + "-key.pem"),
            "-out", os.path.join(out_dir, name + "-cert.pem")]
    if ca_dir:
        argv += ["-CA", os.path.join(ca_dir, "ca-cert.pem"),
                 "-CAkey", os.path.join(ca_dir, "ca-key.pem")]
    for ext in extensions:
        argv += ["-addext", ext]
    run(*argv)


def setup(tls_dir, sasl_dir, client_dir, subject, user, password):
    leaf = ["basicConstraints=critical,CA:FALSE",
            "keyUsage=critical,digitalSignature,keyEncipherment"]
    certificate(tls_dir, "ca", "/CN=libvirt-gevents test CA",
                ["basicConstraints=critical,CA:TRUE",
                 "keyUsage=critical,keyCertSign,cRLSign"])
    certificate(tls_dir, "server", "/CN=127.0.0.1",
                leaf + ["extendedKeyUsage=serverAuth", "subjectAltName=IP:127.0.0.1"],
                ca_dir=tls_dir)
    certificate(client_dir, "client", subject,
                leaf + ["extendedKeyUsage=clientAuth"], ca_dir=tls_dir)
    with open(os.path.join(tls_dir, "ca-cert.pem"), "rb") as f:
        ca = f.read()
    with open(os.path.join(client_dir, "ca-cert.pem"), "wb") as f:
        f.write(ca)
    # the CA's key has done its work; QEMU must not see it
    os.unlink(os.path.join(tls_dir, "ca-key.pem"))

    db = os.path.join(sasl_dir, "passwd.db")
    run("saslpasswd2", "-p", "-c", "-f", db, "-a", "qemu", user,
        stdin=password.encode())
    with open(os.path.join(sasl_dir, "qemu.conf"), "w") as f:
        f.write(f"mech_list: {MECH.lower()}\nsasldb_path: {db}\n")
    return 0


class Rejected(Exception):
    pass


class Peer:
    def __init__(self, sock):
        self.sock = sock

    def recv(self, n):
        data = b""
        while len(data) < n:
            try:
                chunk = self.sock.recv(n - len(data))
            except (ConnectionResetError, ssl.SSLError) as e:
                raise Rejected(str(e))
            if not chunk:
                raise Rejected("end of stream")
            data += chunk
        return data

    def u8(self):
        return self.recv(1)[0]

    def u32(self):
        return struct.unpack(">I", self.recv(4))[0]

    def send(self, data):
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError) as e:
            raise Rejected(str(e))

    def send_string(self, s):
        """A SASL string as QEMU reads it: u32 length, bytes, NUL."""
        data = s.encode() + b"\0"
        self.send(struct.pack(">I", len(data)) + data)

    def sasl_reply(self):
        """u32 length (NUL included, 0: no data), data, u8 complete."""
        n = self.u32()
        data = self.recv(n)[:-1] if n else b""
        return data.decode(), self.u8()


def scram_exchange(peer, user, password):
    """SCRAM-SHA-256 (RFC 5802) over QEMU's start/step messages; checks the
    server's signature too."""
    nonce = base64.b64encode(os.urandom(18)).decode()
    first_bare = f"n={user},r={nonce}"
    peer.send_string(MECH)
    peer.send_string("n,," + first_bare)
    server_first, done = peer.sasl_reply()
    if done:
        raise SystemExit(f"SASL start completed at once: {server_first!r}")
    attrs = dict(kv.split("=", 1) for kv in server_first.split(","))
    if not attrs["r"].startswith(nonce):
        raise SystemExit(f"server nonce does not extend ours: {server_first!r}")
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(),
                                 base64.b64decode(attrs["s"]), int(attrs["i"]))

    def mac(key, msg):
        return hmac.new(key, msg.encode() if isinstance(msg, str) else msg,
                        hashlib.sha256).digest()
    client_key = mac(salted, "Client Key")
    without_proof = f"c=biws,r={attrs['r']}"
    auth_message = ",".join((first_bare, server_first, without_proof))
    signature = mac(hashlib.sha256(client_key).digest(), auth_message)
    proof = bytes(a ^ b for a, b in zip(client_key, signature))
    peer.send_string(without_proof + ",p=" + base64.b64encode(proof).decode())
    server_final, done = peer.sasl_reply()
    if not done:
        raise SystemExit(f"SASL not complete after the client's proof: {server_final!r}")
    expected = base64.b64encode(mac(mac(salted, "Server Key"), auth_message)).decode()
    if server_final != "v=" + expected:
        raise SystemExit(f"wrong server signature: {server_final!r}")


def say(*words):
    print(*words, flush=True)


def connect(port, client_dir, user, password, no_cert):
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    node, service = sock.getsockname()[:2]
    say("local", node, service)
    peer = Peer(sock)
    stage = "rfb"
    try:
        version = peer.recv(12)
        if not version.startswith(b"RFB "):
            raise SystemExit(f"not an RFB server: {version!r}")
        peer.send(b"RFB 003.008\n")
        types = peer.recv(peer.u8())
        if VENCRYPT not in types:
            raise SystemExit(f"no VeNCrypt among security types {list(types)}")
        peer.send(bytes([VENCRYPT]))
        if peer.recv(2) != b"\0\2":
            raise SystemExit("not VeNCrypt 0.2")
        peer.send(b"\0\2")
        if peer.u8() != 0:
            raise SystemExit("VeNCrypt version refused")
        subtypes = [peer.u32() for _ in range(peer.u8())]
        if X509SASL not in subtypes:
            raise SystemExit(f"no X509SASL among VeNCrypt sub-types {subtypes}")
        say("security", ",".join(map(str, types)), ",".join(map(str, subtypes)))
        peer.send(struct.pack(">I", X509SASL))
        if peer.u8() != 1:
            raise SystemExit("X509SASL refused")

        stage = "tls"
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(os.path.join(client_dir, "ca-cert.pem"))
        if not no_cert:
            ctx.load_cert_chain(os.path.join(client_dir, "client-cert.pem"),
                                os.path.join(client_dir, "client-key.pem"))
        try:
            peer.sock = ctx.wrap_socket(sock, server_hostname="127.0.0.1")
        except (ssl.SSLError, ConnectionResetError) as e:
            raise Rejected(str(e))

        # TLS 1.3: a refused client certificate shows as the server's alert
        # or end of stream on the first read, here the mechanism list
        mechlist = peer.recv(peer.u32()).decode()
        stage = "sasl"
        say("mechlist", mechlist)
        if MECH not in mechlist.split(","):
            raise SystemExit(f"{MECH} not offered: {mechlist!r}")
        scram_exchange(peer, user, password)
        if peer.u32() != 0:
            raise SystemExit("SecurityResult: failed")
        peer.send(b"\1")                        # ClientInit, shared
        init = peer.recv(24)
        name = peer.recv(struct.unpack(">I", init[20:24])[0]).decode()
    except Rejected:
        say("rejected", stage)
        return 0
    say("initialized", name)
    sys.stdin.readline()
    peer.sock.close()
    return 0


def main():
    args = sys.argv[1:]
    if len(args) == 7 and args[0] == "setup":
        return setup(*args[1:])
    if len(args) in (5, 6) and args[0] == "connect" and args[5:] in ([], ["--no-cert"]):
        return connect(int(args[1]), args[2], args[3], args[4], len(args) == 6)
    print("usage: vnc-tls-sasl.py setup TLS_DIR SASL_DIR CLIENT_DIR SUBJECT USER PASSWORD\n"
          "       vnc-tls-sasl.py connect PORT CLIENT_DIR USER PASSWORD [--no-cert]",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
