"""Measure: corpus CIBs → ``pengine show --as pcs`` → the real pcs → the same configuration?

Not a test (it takes long with the real pcs): run it as
``python tests/pcs_corpus_roundtrip.py [LIMIT]``; it prints one line per
configuration and the counts by category at the end.  Compared modulo the
ids pcs always generates (nvpairs, sets, rules...) and node ids (corosync's).
"""

from __future__ import annotations

import collections
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import attrs  # noqa: E402

from pengine.cib import model as m  # noqa: E402
from pengine.cib.cib_xml import read_cib  # noqa: E402
from pengine.cib.normalize import map_model, without_generated_ids  # noqa: E402
from pengine.cib.pcs_writer import untranslatable, write_pcs  # noqa: E402
from conftest import cts_dir  # noqa: E402
import pcs_referee  # noqa: E402


def comparable(config: m.Configuration) -> m.Configuration:
    from pengine.cib.pcs_writer import PACEMAKER_PROPERTIES
    config = attrs.evolve(config, crm_config=tuple(
        attrs.evolve(s, nvpairs=[nv for nv in s.nvpairs if nv.name not in PACEMAKER_PROPERTIES])
        for s in config.crm_config))
    config = attrs.evolve(config, crm_config=tuple(s for s in config.crm_config if s.nvpairs))
    config = without_generated_ids(config)
    # node ids and types are the controller's (pcs writes no <node>): "member" is the default
    config = attrs.evolve(config, nodes=tuple(
        attrs.evolve(node, id=node.uname, type=None if node.type in ("member", "normal") else node.type)
        for node in config.nodes))
    return map_model(config, lambda value: value)


def with_pacemaker_defaults(config: m.Configuration) -> m.Configuration:
    """``config`` with the defaults pcs spells out made explicit everywhere:
    a rule's boolean-op (``and``; none needed on one expression), an order's
    first-action (``start``) and then-action (first-action's value)."""
    def spell(value):
        if isinstance(value, m.Rule):
            single = len(value.expressions) == 1
            return attrs.evolve(value, boolean_op=None if single else value.boolean_op or "and")
        if isinstance(value, m.Order) and not value.resource_sets:
            first = value.first_action or "start"
            return attrs.evolve(value, first_action=first, then_action=value.then_action or first)
        return value
    return map_model(config, spell)


def differing_sections(a: m.Configuration, b: m.Configuration) -> list[str]:
    return [field.name for field in attrs.fields(m.Configuration)
            if getattr(a, field.name) != getattr(b, field.name)]


def main():
    limit = int(sys.argv[1]) if len(sys.argv) > 1 else None
    corpus = cts_dir()
    names = sorted(path.stem for path in (corpus / "crm").glob("*.crm"))[:limit]
    counts = collections.Counter()
    for name in names:
        config = read_cib((corpus / "xml" / f"{name}.xml").read_bytes()).configuration
        skipped = untranslatable(config)
        if skipped:
            reason = re.sub(r"'[^']*'|\([^)]*\)", "", skipped[0].split(": ", 1)[-1])
            category = "not expressible: " + re.sub(r"\s+", " ", re.sub(
                r"^(nvpair|location of|operation) \S+( on \S+)?", r"\1 X", reason)).strip()
        else:
            try:
                xml = pcs_referee.apply_script(write_pcs(config))
                back = read_cib(xml).configuration
                diff = differing_sections(comparable(config), comparable(back))
                if diff and not differing_sections(with_pacemaker_defaults(comparable(config)),
                                                   with_pacemaker_defaults(comparable(back))):
                    category = "equal but for defaults pcs spells out"
                else:
                    category = "equal" if not diff else "different " + "/".join(diff)
            except pcs_referee.PcsFailed as error:
                first = str(error).splitlines()[0]
                command = " ".join(first.split()[:3])
                reason = next((line for line in str(error).splitlines() if line.startswith("Error")), first)
                category = f"pcs refused ({command}): {reason[:90]}"
        counts[category] += 1
        print(f"{name}\t{category}", flush=True)
    print("\n# totals", flush=True)
    for category, count in counts.most_common():
        print(f"{count}\t{category}", flush=True)


if __name__ == "__main__":
    main()
