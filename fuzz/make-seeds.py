#!/usr/bin/python3
"""Writes fuzz/corpus/: one seed per row of the event tables, in the input
format fuzz-events.c reads (a row, then its raw arguments), with the hostile
bytes of issue 19 in its strings.  Run from the source tree; the output is
committed."""
import os
import struct

SHAPES = ["ii", "", "l", "i", "ssis", "iAAsS", "iAAsS", "iAAsS", "iAAsS", "iAAsS", "iAAsS",
          "", "sii", "sssi", "si", "i", "i", "i", "U", "s", "s", "s", "P", "ii", "i", "P",
          "is", "ssUU", "iiu", "sU", "ssl", "ssl"]
STRINGS = [b"vda", b"ua-\xff\xfe", b"x\r12:00:00  prod-db  lifecycle stopped", b"\x1b]0;t\x07",
           "rlo\u202egpj".encode(), "csi\u009b31m".encode(), b"\xf0\x9f\x98", b"127.0.0.1"]


def s(i):
    return bytes([len(STRINGS[i % len(STRINGS)])]) + STRINGS[i % len(STRINGS)]


def args(shape, row):
    out, n = b"", row
    for c in shape:
        n += 1
        if c == "i":
            out += bytes([n % 4])
        elif c == "u":
            out += struct.pack(">I", 3)
        elif c in "lU":
            out += struct.pack(">Q", 1 << 30)
        elif c == "s":
            out += s(n)
        elif c == "A":
            out += b"\x00\x02" + s(7) + s(n)
        elif c == "S":
            out += b"\x02" + bytes([12]) + b"saslUsername" + s(n) + bytes([9]) + b"x509dname" + s(n + 1)
        elif c == "P":
            # a string, an int, an unknown type, a double (NaN)
            out += b"\x04" + s(0) + b"\x06" + s(n) + s(1) + b"\x00\x05" + b"\x01u" + b"\xf5" + b"\x00" * 8
            out += b"\x01d" + b"\x04" + b"\x7f\xf8" + b"\x00" * 6
    return out


def main():
    os.makedirs("fuzz/corpus", exist_ok=True)
    for row, shape in enumerate(SHAPES):
        with open(f"fuzz/corpus/row-{row:02d}", "wb") as f:
            f.write(bytes([row]) + args(shape, row))
    # the sibling table (networks, pools, devices, secrets): (event, detail)
    for kind in range(7):
        row = len(SHAPES) + kind
        with open(f"fuzz/corpus/row-{row:02d}", "wb") as f:
            f.write(bytes([row, kind % 4 + 2, 2]))


main()
