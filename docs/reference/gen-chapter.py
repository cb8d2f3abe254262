#!/usr/bin/env python3
# gen-chapter.py: fills a DocBook chapter's listings with code cut from the
# example's sources, so the chapter shows the code that is built and tested.
#
#   gen-chapter.py TEMPLATE SOURCE_DIR > CHAPTER
#
# In TEMPLATE, a line "@@EXCERPT FILE NAME@@" becomes a <programlisting> of
# the top-level definition of NAME in SOURCE_DIR/FILE (GNU style: a
# function's name, or a table's "} name[] = {", at the start of a line),
# with the lines directly above it (return type, comment) and down to its
# closing "}" at the start of a line.  A name that is not found fails the
# build.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import re
import sys

DIRECTIVE = re.compile(r"^@@EXCERPT (\S+) (\S+)@@$")


def excerpt(path, name):
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    start = next((i for i, line in enumerate(lines)
                  if re.match(rf"^(}} )?{re.escape(name)}( \(|\[\] = {{)", line)), None)
    if start is None:
        raise SystemExit(f"gen-chapter: no definition of {name} in {path}")
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("}"))
    while start > 0 and lines[start - 1].strip():
        start -= 1
    return "\n".join(lines[start:end + 1])


def main(template, source_dir):
    with open(template, encoding="utf-8") as f:
        out = []
        for line in f.read().splitlines():
            m = DIRECTIVE.match(line.strip())
            if not m:
                out.append(line)
                continue
            code = excerpt(os.path.join(source_dir, m.group(1)), m.group(2))
            if "]]>" in code:
                raise SystemExit(f"gen-chapter: {m.group(2)} contains ]]>")
            out.append(f'<programlisting language="c"><![CDATA[{code}]]></programlisting>')
    print("\n".join(out))


if __name__ == "__main__":
    main(*sys.argv[1:])
