#!/usr/bin/env python3
# check-docs.py: the listings of docs/reference/getting-started.xml must be
# the programs in examples/getting-started/, which the tests build and run.
#
#   check-docs.py [--update] CHAPTER.xml PROGRAM...
#
# Each PROGRAM is compared with the chapter's one <programlisting> whose
# language attribute matches its extension; --update rewrites the listings
# from the programs instead.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import re
import sys

LANGUAGES = {".c": "c", ".py": "python", ".js": "javascript", ".vala": "vala"}
LISTING = re.compile(r'(<programlisting language="(\w+)"><!\[CDATA\[)(.*?)(\]\]></programlisting>)',
                     re.DOTALL)


def main(argv):
    update = argv[:1] == ["--update"]
    if update:
        argv = argv[1:]
    chapter_path, programs = argv[0], argv[1:]
    with open(chapter_path, encoding="utf-8") as f:
        chapter = f.read()

    sources = {}
    for path in programs:
        language = LANGUAGES[path[path.rindex("."):]]
        with open(path, encoding="utf-8") as f:
            sources[language] = (path, f.read())

    found = [m.group(2) for m in LISTING.finditer(chapter)]
    failures = []
    for language, (path, _) in sources.items():
        if found.count(language) != 1:
            failures.append(f"{chapter_path}: {found.count(language)} {language} listings, expected 1")
    if failures:
        print("\n".join(failures))
        return 1

    def replace(m):
        if m.group(2) not in sources:
            return m.group(0)
        path, source = sources[m.group(2)]
        if "]]>" in source:
            raise SystemExit(f"{path} contains ]]>, which cannot go in CDATA")
        if m.group(3) != source:
            failures.append(f"{chapter_path}: the {m.group(2)} listing is not {path}")
        return m.group(1) + source + m.group(4)

    updated = LISTING.sub(replace, chapter)
    if update:
        with open(chapter_path, "w", encoding="utf-8") as f:
            f.write(updated)
        print(f"{chapter_path}: {len(failures)} listing(s) updated")
        return 0
    print("\n".join(failures) or f"{chapter_path}: {len(sources)} listings match")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
