#!/usr/bin/env python3
# test-doc-fragments.py: every C fragment a newcomer copies from the docs
# compiles clean with -Wall -Wextra -Werror (issue 24): the README's ```c
# blocks, the gtk-doc comments' |[<!-- language="C" --> blocks, the C
# listings of docs/reference/*.xml, and the files the GTK chapter excerpts
# (the examples/gtk/ files its @@EXCERPT lines name, when GTK 4 is there).
#
#   test-doc-fragments.py SOURCE_ROOT BUILD_ROOT CC gtk|no-gtk
#
# no-gtk: the build has no GTK 4 (no GTK example either): its files are
# not compiled, and the output says so.
#
# A fragment mixes top-level functions (from a column-0 "static" to the
# column-0 "}") and statements; the statements go into a function whose
# parameters are the objects the docs assume (domain, conn, pool...), marked
# G_GNUC_UNUSED since a fragment uses some of them only.  The project's own
# -Wno-unused-parameter is not used: a handler's unused arguments must say
# so in the fragment itself.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import glob
import os
import re
import subprocess
import sys
import tempfile

FLAGS = ["-Wall", "-Wextra", "-Werror", "-std=gnu11", "-fsyntax-only"]
PRELUDE = """#include <libvirt-gevents/libvirt-gevents.h>
"""
# what the fragments' statements may name without declaring it
CONTEXT = ("int argc G_GNUC_UNUSED, char **argv G_GNUC_UNUSED, "
           "GVirConnection *conn G_GNUC_UNUSED, GVirDomain *domain G_GNUC_UNUSED, "
           "GVirStoragePool *pool G_GNUC_UNUSED, GVirNetwork *network G_GNUC_UNUSED")

GTKDOC = re.compile(r'\|\[<!-- language="C" -->\n(.*?)\n\s*\*\s*\]\|', re.DOTALL)
MARKDOWN = re.compile(r'^```c\n(.*?)^```', re.DOTALL | re.MULTILINE)
LISTING = re.compile(r'<programlisting language="c"><!\[CDATA\[(.*?)\]\]></programlisting>',
                     re.DOTALL)


def fragments(src):
    """(where, text, whole_program) for every C fragment of the docs."""
    with open(os.path.join(src, "README.md"), encoding="utf-8") as f:
        for i, m in enumerate(MARKDOWN.finditer(f.read())):
            yield f"README.md, C block {i + 1}", m.group(1), False
    for path in sorted(glob.glob(os.path.join(src, "libvirt-gevents", "*.[ch]"))):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for i, m in enumerate(GTKDOC.finditer(text)):
            body = "\n".join(re.sub(r"^\s*\* ?", "", line) for line in m.group(1).splitlines())
            yield f"{os.path.relpath(path, src)}, C block {i + 1}", body, False
    for path in sorted(glob.glob(os.path.join(src, "docs", "reference", "*.xml*"))):
        with open(path, encoding="utf-8") as f:
            for i, m in enumerate(LISTING.finditer(f.read())):
                yield f"{os.path.relpath(path, src)}, C listing {i + 1}", m.group(1), True


def as_unit(text):
    """The fragment as a translation unit."""
    top, body = [], []
    in_function, depth, opened = False, 0, False
    for line in text.splitlines():
        if not in_function and line.startswith("static"):
            in_function, depth, opened = True, 0, False
        if in_function:
            top.append(line)
            depth += line.count("{") - line.count("}")
            opened = opened or "{" in line
            if opened and depth == 0:
                in_function = False
                top.append("")
        else:
            body.append(line)
    return PRELUDE + "\n".join(top) + f"\nvoid fragment ({CONTEXT});\n" \
        f"void\nfragment ({CONTEXT})\n{{\n" + "\n".join(body) + "\n}\n"


# What every example says of gvir_init_object() where it calls it (issue 24):
# one true thing, the same everywhere (the README and the chapters say it
# in prose).
INIT_COMMENT = ["First, before any connection: it makes GLib's main loop libvirt's event",
                "loop (GVirConnection would too; raw libvirt connections need it) and keeps",
                "libvirt from printing the errors it also returns as GErrors."]


def init_comment_failures(src):
    failures = []
    for path in sorted(glob.glob(os.path.join(src, "examples", "**", "*.*"), recursive=True)):
        if not path.endswith((".c", ".py", ".js", ".vala")):
            continue
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        for i, line in enumerate(lines):
            if re.search(r"init_object\s*\(", line) and not line.lstrip().startswith(("#", "//", "*", "/*")):
                before = [re.sub(r"^\s*(#|//|/\*|\*)\s?", "", l).removesuffix(" */")
                          for l in lines[max(0, i - 3):i]]
                if before != INIT_COMMENT:
                    failures.append(f"{os.path.relpath(path, src)}:{i + 1}: init_object() "
                                    f"without the comment: {before}")
    return failures


def cflags(build, names):
    env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(build, "meson-uninstalled"))
    out = subprocess.run(["pkg-config", "--cflags"] + names, env=env,
                         capture_output=True, text=True)
    return out.stdout.split() if out.returncode == 0 else None


def main(argv):
    src, build, cc, gtk = argv
    flags = cflags(build, ["libvirt-gevents-1.0"])
    if flags is None:
        print("FAIL: pkg-config finds no uninstalled libvirt-gevents-1.0")
        return 1
    failures = n = 0
    with tempfile.TemporaryDirectory() as scratch:
        for where, text, whole in fragments(src):
            n += 1
            unit = text if whole else as_unit(text)
            path = os.path.join(scratch, f"fragment-{n}.c")
            with open(path, "w", encoding="utf-8") as f:
                f.write(unit)
            out = subprocess.run([cc] + FLAGS + flags + [path], capture_output=True, text=True)
            if out.returncode == 0:
                print(f"ok: {where}")
            else:
                failures += 1
                print(f"FAIL: {where}:\n{unit}\n{out.stderr}")
        # the GTK chapter's excerpts are these files
        gtk_flags = cflags(build, ["libvirt-gevents-1.0", "gtk4"])
        with open(os.path.join(src, "docs", "reference", "gtk-application.xml.in"),
                  encoding="utf-8") as f:
            excerpted = sorted(set(re.findall(r"^@@EXCERPT (\S+\.c) ", f.read(), re.MULTILINE)))
        gtk_files = [os.path.join(src, "examples", "gtk", name) for name in excerpted]
        if gtk == "no-gtk":
            gtk_files = []
            print("not compiled: the GTK chapter's files (the build has no GTK 4)")
        elif gtk_flags is None:
            failures += 1
            print("FAIL: the build has GTK 4, but pkg-config does not find gtk4")
        if gtk_flags is not None:
            for path in gtk_files:
                n += 1
                out = subprocess.run([cc] + FLAGS + gtk_flags + ["-I", os.path.dirname(path), path],
                                     capture_output=True, text=True)
                where = os.path.relpath(path, src) + " (the GTK chapter's excerpts)"
                if out.returncode == 0:
                    print(f"ok: {where}")
                else:
                    failures += 1
                    print(f"FAIL: {where}:\n{out.stderr}")
    print(f"{n - failures} of {n} C fragments compile clean with {' '.join(FLAGS[:3])}")
    for failure in init_comment_failures(src):
        failures += 1
        print(f"FAIL: {failure}")
    return 1 if failures or n < 5 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
