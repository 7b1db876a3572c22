"""Mutants of the corpus: each corpus CIB with one change of the kind users
make (an unknown attribute or element, a misspelt value, a missing required
attribute, a bad score, interval or date), to compare ``pengine check`` with
crm_verify beyond the hand-written set.

``python -m tests.check_parity.mutate OUTDIR [COUNT] [SEED]`` writes COUNT
mutants (default 300) read from the corpus at run time; nothing of the corpus
is kept in the repository.  ``confusion.py --mutants OUTDIR`` compares them.
"""

from __future__ import annotations

import os
import random
import re
import sys

from tests.check_parity.confusion import CORPUS

ENUM_ATTRS = ("class", "role", "rsc-role", "with-rsc-role", "kind", "first-action",
              "then-action", "on-fail", "operation", "boolean-op", "type", "loss-policy",
              "resource-discovery", "sequential", "symmetrical", "enabled", "ordering")
VALUE_ATTRS = ("score", "interval", "timeout", "start", "end", "index", "epoch", "value")


def _mutations(text: str, rng: random.Random):
    """(kind, new text) candidates for one file's configuration section."""
    end = text.find("<status")
    end = len(text) if end < 0 else end
    tags = [m for m in re.finditer(r"<([a-z_\-]+)(\s[^<>]*?)?(/?)>", text[:end])]
    if not tags:
        return None
    tag = rng.choice(tags)
    name = tag.group(1)
    attrs = list(re.finditer(r'\s([\w\-:]+)="([^"]*)"', tag.group(0)))
    choice = rng.randrange(9)
    start = tag.start()
    if choice == 0:       # unknown attribute
        insert = start + 1 + len(name)
        return "unknown-attribute", text[:insert] + ' frob="1"' + text[insert:]
    if choice == 1 and not tag.group(3):      # unknown child element
        at = tag.end()
        return "unknown-element", text[:at] + "<frobnicate/>" + text[at:]
    if choice == 2 and attrs:                 # drop an attribute
        a = rng.choice(attrs)
        s, e = start + a.start(), start + a.end()
        return f"drop-{a.group(1)}", text[:s] + text[e:]
    if choice == 3:                           # misspelt enum value
        found = [a for a in attrs if a.group(1) in ENUM_ATTRS]
        if found:
            a = rng.choice(found)
            s, e = start + a.start(2), start + a.end(2)
            return f"bad-{a.group(1)}", text[:s] + a.group(2) + "x" + text[e:]
    if choice == 4:                           # bad number, score, duration or date
        found = [a for a in attrs if a.group(1) in VALUE_ATTRS]
        if found:
            a = rng.choice(found)
            s, e = start + a.start(2), start + a.end(2)
            return f"bad-{a.group(1)}", text[:s] + rng.choice(["abc", "1.5.2", "-", "10 x"]) + text[e:]
    if choice == 5 and name == "nvpair":      # bad option value
        found = [a for a in attrs if a.group(1) == "value"]
        if found:
            a = found[0]
            s, e = start + a.start(2), start + a.end(2)
            return "bad-nvpair-value", text[:s] + "bogus" + text[e:]
    if choice == 6 and name in ("primitive", "clone", "group", "rsc_location", "rsc_order",
                                "rsc_colocation", "op"):
        # rename the element
        s = start + 1
        return f"rename-{name}", text[:s] + name + "x" + text[s + len(name):]
    if choice == 7:                           # fencing on, devices gone
        new = re.sub(r'name="(stonith|fencing)-enabled" value="[^"]*"',
                     r'name="\1-enabled" value="true"', text)
        new = re.sub(r'class="stonith"', 'class="lsb"', new)
        if new != text:
            return "fencing-without-device", new
    if choice == 8 and name == "op":          # duplicate operation
        at = tag.end() if tag.group(3) else -1
        if at > 0:
            dup = re.sub(r'id="([^"]*)"', r'id="\1-dup"', tag.group(0), count=1)
            return "duplicate-op", text[:at] + dup + text[at:]
    return None


def mutants(count: int = 300, seed: int = 22):
    rng = random.Random(seed)
    files = sorted(f for f in os.listdir(CORPUS) if f.endswith(".xml"))
    made = 0
    while made < count:
        name = rng.choice(files)
        text = open(os.path.join(CORPUS, name), encoding="utf-8").read()
        found = _mutations(text, rng)
        if found is None:
            continue
        kind, new = found
        made += 1
        yield f"m{made:03d}-{kind}-{name}", new


def main(argv: list[str]) -> int:
    out = argv[0]
    count = int(argv[1]) if len(argv) > 1 else 300
    seed = int(argv[2]) if len(argv) > 2 else 22
    os.makedirs(out, exist_ok=True)
    for name, text in mutants(count, seed):
        with open(os.path.join(out, name), "w", encoding="utf-8") as handle:
            handle.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
