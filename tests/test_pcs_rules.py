"""pcs's rule language (cib/pcs_rules.py), `constraint rule`, and `resource move`.

The sample scripts rule-*.pcs are compared with the real pcs in
tests/test_pcs_text.py; here: the grouping pcs gives and/or, rule errors
said as pcs says them (checked against the real pcs where it runs), the
writer's nested rules, and pcs 0.11's `resource move`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pengine.cib import model as m
from pengine.cib.cib_xml import read_cib
from pengine.cib.pcs_rules import parse_rule, rule_words
from pengine.cib.pcs_text import read_pcs
from pengine.cib.pcs_writer import spelled_out_defaults, untranslatable, write_pcs
from conftest import run_pengine
import pcs_referee

_WHY_NOT = pcs_referee.pcs_available()
needs_pcs = pytest.mark.skipif(_WHY_NOT is not None, reason=str(_WHY_NOT))
SCRIPTS = Path(__file__).parent / "pcs_scripts"
HEAD = "pcs cluster setup demo n1 n2\npcs resource create d ocf:pacemaker:Dummy\n"


class _W:
    def __init__(self, text):
        self.text = text


def _shape(node) -> str:
    """The parse tree as nested parentheses (literals by text)."""
    if node.kind in ("literal", "end"):
        return node.text
    if not node.children:
        return node.kind
    return "(" + " ".join([node.kind, *map(_shape, node.children)]) + ")"


@pytest.mark.parametrize("text, shape", [
    ("a eq 1 or b eq 2 and c eq 3", "(and (or (eq a 1) (eq b 2)) (eq c 3))"),
    ("a eq 1 or ( b eq 2 and c eq 3 )", "(or (eq a 1) (and (eq b 2) (eq c 3)))"),
    ("(a eq 1) and not_defined b", "(and (eq a 1) (not_defined b))"),
    ("x gt integer 5", "(gt x (integer 5))"),
    ("date gt 2026-01-01", "(gt date 2026-01-01)"),
])
def test_and_or_group_from_the_left_as_in_pcs(text, shape):
    words = [_W(piece) for piece in text.replace("(", " ( ").replace(")", " ) ").split()]
    assert _shape(parse_rule(words, retext=lambda word, text: _W(text))) == shape


def test_mixed_and_or_read_into_nested_rules():
    config = read_pcs(HEAD + "pcs constraint location d rule score=5 a eq 1 or b eq 2 and c eq 3\n")
    rule = config.constraints[0].rules[0]
    assert rule.boolean_op == "and" and rule.score == "5"
    nested = rule.expressions[0]
    assert isinstance(nested, m.Rule) and nested.boolean_op == "or" and nested.score == "0"
    assert [e.attribute for e in nested.expressions] == ["a", "b"]
    assert rule.expressions[1].attribute == "c"


@pytest.mark.parametrize("expression, where, reason", [
    ("a eq", ":3:34:", "unexpected end of rule"),
    ("( a eq 1", ":3:39:", "missing ')'"),
    ("a eq 1 and", ":3:39:", "unexpected end of rule"),
    ("rack gt integer x", ":3:48:", "invalid integer value 'x'"),
    ("date-spec hours=25", ":3:42:", "invalid hours '25' in 'date-spec'"),
    ("a eq 1 b eq 2", ":3:39:", "unexpected 'b'"),
    ("eq 1", ":3:32:", "unexpected 'eq'"),
])
def test_rule_errors_are_positioned_and_said_as_pcs_says(write, expression, where, reason):
    text = HEAD + f"pcs constraint location d rule {expression}\n"
    done = run_pengine("simulate", write("bad.pcs", text))
    assert done.returncode == 1
    assert f"bad.pcs{where}" in done.stderr, done.stderr
    assert f"is not a valid rule expression: {reason}" in done.stderr
    assert "^" in done.stderr and "Traceback" not in done.stderr
    if _WHY_NOT is None:
        with pytest.raises(pcs_referee.PcsFailed) as refused:
            pcs_referee.apply_script(text)
        assert f"is not a valid rule expression: {reason}" in str(refused.value)


def test_constraint_rule_add_needs_an_existing_location(write):
    done = run_pengine("simulate", write("bad.pcs", HEAD + "pcs constraint rule add nowhere a eq 1\n"))
    assert done.returncode == 1
    assert "bad.pcs:3:25:" in done.stderr and "Unable to find constraint: nowhere" in done.stderr


def _location(rule: m.Rule) -> m.Configuration:
    config = read_pcs(HEAD)
    return m.Configuration(nodes=config.nodes, resources=config.resources,
                           constraints=(m.Location(id="loc", rsc="d", rules=(rule,)),))


def _expr(name, value):
    return m.Expression(attribute=name, operation="eq", value=value)


def test_the_writer_puts_nested_rules_in_parentheses():
    inner = m.Rule(expressions=(_expr("b", "2"), _expr("c", "3")), boolean_op="and", score="0")
    rule = m.Rule(expressions=(_expr("a", "1"), inner, _expr("d", "4")), boolean_op="or", score="7")
    assert rule_words(rule) == ["a", "eq", "1", "or", "(", "b", "eq", "2", "and", "c", "eq", "3", ")",
                                "or", "d", "eq", "4"]
    config = _location(rule)
    assert untranslatable(config) == [] and spelled_out_defaults(config) == []
    again = read_pcs(write_pcs(config)).constraints[0].rules[0]
    assert again.boolean_op == "or" and again.expressions[1].boolean_op == "and"
    assert [(e.attribute, e.value) for e in again.expressions[1].expressions] == [("b", "2"), ("c", "3")]


@pytest.mark.parametrize("rule, why", [
    (m.Rule(expressions=(_expr("a", "1"), m.Rule(expressions=(_expr("b", "2"), _expr("c", "3")),
                                                 boolean_op="and", score="0")),
            boolean_op="and", score="1"), "pcs merges them"),
    (m.Rule(expressions=(_expr("and", "1"),), score="1"), "reads as a keyword"),
    (m.Rule(expressions=(m.Expression(attribute="a", operation="eq", value_source="param"),),
            score="1"), "value-source"),
])
def test_rules_pcs_cannot_rebuild_are_said(rule, why):
    assert why in " ".join(untranslatable(_location(rule)))


def test_defaults_pcs_spells_out_are_written_and_listed():
    rule = m.Rule(expressions=(_expr("a", "1"),), boolean_op="and", score="1")
    config = _location(rule)
    assert untranslatable(config) == []
    assert "boolean-op=and on a rule of one expression" in " ".join(spelled_out_defaults(config))
    assert "# pcs spells out a default:" in write_pcs(config)


@needs_pcs
def test_an_xml_rule_with_nesting_goes_through_real_pcs(tmp_path):
    xml = pcs_referee.apply_script((SCRIPTS / "rule-parentheses.pcs").read_text(encoding="utf-8"))
    config = read_cib(xml).configuration
    nested = [item for loc in config.constraints for rule in loc.rules
              for item in rule.expressions if isinstance(item, m.Rule)]
    assert nested, "the sample makes nested rules"
    assert read_cib(pcs_referee.apply_script(write_pcs(config))).configuration == config


# -------------------------------------------------------- resource move

def test_resource_move_keeps_no_constraint_and_says_so(write):
    path = write("move.pcs", HEAD + "pcs resource move d n2\n")
    done = run_pengine("show", path, "--as", "pcs")
    assert done.returncode == 0, done.stderr
    assert "cli-prefer" not in done.stdout
    assert "move.pcs:3:" in done.stderr and "removes its constraint once the resource runs on n2" \
        in done.stderr
    kept = read_pcs(HEAD + "pcs resource move-with-constraint d n2\n")
    assert [c.id for c in kept.constraints] == ["cli-prefer-d"]


def test_resource_move_on_a_file_is_refused_as_pcs_refuses_it(write):
    text = HEAD + "pcs -f cib.xml resource move d n2\n"
    done = run_pengine("simulate", write("move.pcs", text))
    assert done.returncode == 1
    assert "move.pcs:3:5:" in done.stderr
    assert "Specified option '-f' is not supported in this command" in done.stderr
    if _WHY_NOT is None:
        with pytest.raises(pcs_referee.PcsFailed) as refused:
            pcs_referee.apply_script(text)
        assert "Specified option '-f' is not supported in this command" in str(refused.value)


def test_lifetime_is_refused_with_a_reason(write):
    done = run_pengine("simulate", write("ban.pcs", HEAD + "pcs resource ban d n1 lifetime=P1D\n"))
    assert done.returncode == 1
    assert "ban.pcs:3:23:" in done.stderr and "lifetime=" in done.stderr


# ------------------------------------------------------ tags in constraints

@pytest.mark.parametrize("command, where, message", [
    ("pcs constraint location t1 prefers n1", ":4:25:", "Resource 't1' does not exist"),
    ("pcs constraint order t1 then d", ":4:22:", "Resource 't1' does not exist"),
    ("pcs constraint ticket add T t1", ":4:29:", "'t1' is not a bundle/clone/group/resource"),
    ("pcs constraint colocation set t1 d", ":4:31:", "'t1' is not a bundle/clone/group/resource"),
])
def test_pcs_takes_no_tag_in_a_constraint(write, command, where, message):
    text = HEAD + "pcs tag create t1 d\n" + command + "\n"
    done = run_pengine("simulate", write("tag.pcs", text))
    assert done.returncode == 1
    assert f"tag.pcs{where}" in done.stderr and message in done.stderr, done.stderr
    if _WHY_NOT is None:
        with pytest.raises(pcs_referee.PcsFailed) as refused:
            pcs_referee.apply_script(text)
        assert message in str(refused.value)
