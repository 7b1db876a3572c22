"""pcs's rule language of ``constraint location ... rule`` and ``constraint rule add``.

pcs 0.11 parses these rules with its legacy parser (pcs/rule.py), a Pratt
parser whose precedences decide how a rule nests: ``and`` and ``or`` bind
alike (40) and group from the left, so ``a or b and c`` is ``(a or b) and
c``; comparisons bind at 50, ``defined``/``not_defined`` at 60, the types
(``string``, ``integer``, ``number``, ``version``) and the ``date-spec`` /
``duration`` keywords at 70.  Before parsing, parentheses are split off any
word and the ``NAME=VALUE`` words after ``date-spec``/``duration`` are joined.

``parse_rule`` gives the tree as pcs builds it (cib/pcs_text.py turns it
into elements with pcs's ids); ``rule_words`` writes a model rule as words
that pcs parses back into the same rule, or says why it cannot.
"""

from __future__ import annotations

import re
from typing import Any, Callable

import attrs

from pengine.cib import model as m

COMPARISONS = ("eq", "ne", "lt", "gt", "lte", "gte")
PREFIXES = ("defined", "not_defined")
TYPES = ("string", "integer", "number", "version")
DATE_KEYWORDS = ("date-spec", "duration")
BOOLEANS = ("and", "or")
SYMBOLS = frozenset(COMPARISONS + PREFIXES + TYPES + DATE_KEYWORDS + BOOLEANS
                    + ("in_range", "to", "(", ")"))
DATE_PARTS = ("hours", "monthdays", "weekdays", "yeardays", "months", "weeks", "years",
              "weekyears", "moon")
_BINDING = {**{op: 50 for op in COMPARISONS + ("in_range",)}, **{op: 60 for op in PREFIXES},
            **{op: 70 for op in TYPES + DATE_KEYWORDS}, **{op: 40 for op in BOOLEANS}}
_TYPE_VALUE = {"integer": re.compile(r"[-+]?\d+"),
               "number": re.compile(r"[-+]?(\d+|(\d*\.\d+)|(\d+\.\d*))([eE][+-]?\d+)?"),
               "version": re.compile(r"\d+(\.\d+)*")}
_SPEC_PART = re.compile(r"(\d+)(-(\d+))?")
_SPEC_LIMITS = {"hours": (0, 23), "monthdays": (0, 31), "weekdays": (1, 7), "yeardays": (1, 366),
                "months": (1, 12), "weeks": (1, 53), "weekyears": (1, 53), "moon": (0, 7)}


class RuleSyntaxError(Exception):
    """``message`` about the word ``origin`` (whatever the caller gave with it)."""

    def __init__(self, message: str, origin: Any):
        super().__init__(message)
        self.message = message
        self.origin = origin


@attrs.frozen
class Node:
    """One symbol of pcs's parse: ``kind`` is 'literal', 'end' or the symbol
    itself; ``children`` as pcs's parser attaches them; ``parts`` the
    NAME=VALUE pairs of a date-spec or duration."""

    kind: str
    text: str
    origin: Any
    children: tuple = ()
    parts: tuple = ()

    @property
    def label(self) -> str:
        return "end" if self.kind == "end" else self.text if self.kind == "literal" else self.kind


def preprocess(words: list, text_of: Callable, retext: Callable) -> list:
    """pcs's TokenPreprocessor: parentheses split off, date-spec/duration parts joined."""
    split = []
    for word in words:
        text = text_of(word)
        if "(" not in text and ")" not in text:
            split.append(word)
            continue
        for piece in re.findall(r"[()]|[^()]+", text):
            split.append(retext(word, piece))
    joined, parts, in_date = [], [], False
    for word in split:
        if in_date:
            if _accepts_part(text_of(word)):
                parts.append(word)
                continue
            in_date = False
            joined += _joined_parts(parts, text_of, retext)
            parts = []
        if text_of(word) in DATE_KEYWORDS:
            in_date, parts = True, [word]
        else:
            joined.append(word)
    if parts:
        joined += _joined_parts(parts, text_of, retext)
    return joined


def _accepts_part(text: str) -> bool:
    return any(text == name or text.startswith(name + "=") for name in DATE_PARTS)


def _joined_parts(parts, text_of, retext):
    if len(parts) == 1:
        return parts
    return [parts[0], retext(parts[1], " ".join(text_of(word) for word in parts[1:]))]


def parse_rule(words: list, text_of: Callable = lambda w: w.text,
               retext: Callable = None) -> Node:
    """The tree pcs's RuleParser makes of ``words``; RuleSyntaxError as pcs says it."""
    tokens = preprocess(words, text_of, retext or (lambda word, text: word))
    return _Parser(tokens, text_of).parse()


class _Parser:
    def __init__(self, tokens: list, text_of: Callable):
        self.symbols: list[Node] = []
        for token in tokens:
            text = text_of(token)
            after_type = bool(self.symbols) and self.symbols[-1].kind in TYPES + DATE_KEYWORDS
            kind = text if text in SYMBOLS and not after_type else "literal"
            self.symbols.append(Node(kind, text, token))
        last = tokens[-1] if tokens else None
        self.symbols.append(Node("end", "", last))
        self.index = -1
        self.current: Node = self.symbols[0]

    def parse(self) -> Node:
        self.advance()
        tree = self.expression()
        if self.current.kind != "end":
            self.fail(f"unexpected '{self.current.label}'", self.current)
        if tree.kind == "literal" or tree.kind in TYPES or tree.kind == "duration":
            self.fail("missing one of '" + "', '".join(COMPARISONS + ("in_range",) + PREFIXES
                                                       + ("date-spec",)) + "'", tree)
        return tree

    def fail(self, message: str, node: Node):
        raise RuleSyntaxError(message, node.origin)

    def advance(self, expected: str | None = None):
        if expected and self.current.kind != expected:
            if self.current.kind == "end":
                self.fail(f"missing '{expected}'", self.current)
            self.fail(f"expecting '{expected}', got '{self.current.label}'", self.current)
        self.index += 1
        if self.index >= len(self.symbols):
            self.fail("unexpected end of rule", self.symbols[-1])
        self.current = self.symbols[self.index]

    def expression(self, right_binding: int = 0) -> Node:
        symbol = self.current
        self.advance()
        left = self.null_denotation(symbol)
        while right_binding < _BINDING.get(self.current.kind, 0):
            symbol = self.current
            self.advance()
            left = self.left_denotation(symbol, left)
        return left

    def null_denotation(self, symbol: Node) -> Node:
        kind = symbol.kind
        if kind in ("literal", "end"):
            return symbol
        if kind == "(":
            inner = self.expression()
            self.advance(")")
            return inner
        if kind in PREFIXES:
            child = self.expression(_BINDING[kind])
            if child.kind != "literal":
                self.fail(f"unexpected '{child.label}' after '{kind}'", child)
            return attrs.evolve(symbol, children=(child,))
        if kind in TYPES:
            child = self.expression(_BINDING[kind])
            pattern = _TYPE_VALUE.get(kind)
            if pattern and not pattern.fullmatch(child.text):
                self.fail(f"invalid {kind} value '{child.text}'", child)
            return attrs.evolve(symbol, children=(child,))
        if kind in DATE_KEYWORDS:
            child = self.expression(_BINDING[kind])
            return attrs.evolve(symbol, children=(child,), parts=self.date_parts(kind, child))
        self.fail(f"unexpected '{symbol.label}'", symbol)

    def left_denotation(self, symbol: Node, left: Node) -> Node:
        kind = symbol.kind
        if kind in COMPARISONS:
            if left.kind != "literal":
                self.fail(f"unexpected '{left.label}' before '{kind}'", left)
            right = self.expression(_BINDING[kind])
            if right.kind not in ("literal",) + TYPES:
                self.fail(f"unexpected '{right.label}' after '{kind}'", right)
            return attrs.evolve(symbol, children=(left, right))
        if kind == "in_range":
            if left.kind != "literal" or left.text != "date":
                self.fail(f"unexpected '{left.label}' before 'in_range'", left)
            start = self.expression(_BINDING[kind])
            if start.kind != "literal":
                self.fail(f"unexpected '{start.label}' after 'in_range'", start)
            self.advance("to")
            end = self.expression(_BINDING[kind])
            if end.kind not in ("literal", "duration"):
                self.fail(f"unexpected '{end.label}' after 'in_range ... to'", end)
            return attrs.evolve(symbol, children=(left, start, end))
        if kind in BOOLEANS:
            allowed = COMPARISONS + ("in_range",) + PREFIXES + ("date-spec",) + BOOLEANS
            if left.kind not in allowed:
                self.fail(f"unexpected '{left.label}' before '{kind}'", left)
            right = self.expression(_BINDING[kind])
            if right.kind not in allowed:
                self.fail(f"unexpected '{right.label}' after '{kind}'", right)
            return attrs.evolve(symbol, children=(left, right))
        self.fail(f"unexpected '{symbol.label}' after '{left.label}'", symbol)

    def date_parts(self, keyword: str, child: Node) -> tuple:
        parts = {}
        for part in child.text.split():
            if not _accepts_part(part):
                self.fail(f"unexpected '{part}' in {keyword}", child)
            if "=" not in part:
                self.fail(f"missing =value after '{part}' in {keyword}", child)
            name, value = part.split("=", 1)
            if not value:
                self.fail(f"missing value after '{part}' in {keyword}", child)
            parts[name] = value
        if not parts:
            self.fail("missing one of '" + "=', '".join(DATE_PARTS) + f"=' in {keyword}", child)
        for name, value in parts.items():
            valid = value.isdigit() if keyword == "duration" else _valid_spec_part(name, value)
            if not valid:
                self.fail(f"invalid {name} '{value}' in '{keyword}'", child)
        return tuple(parts.items())


def _valid_spec_part(name: str, value: str) -> bool:
    match = _SPEC_PART.fullmatch(value)
    if not match:
        return False
    low, high = _SPEC_LIMITS.get(name, (None, None))
    if low is not None and not low <= int(match.group(1)) <= high:
        return False
    return not match.group(3) or int(match.group(1)) < int(match.group(3))


def is_date_comparison(node: Node) -> bool:
    """pcs builds a <date_expression> for ``date gt|lt|in_range LITERAL``."""
    return (node.kind in ("gt", "lt", "in_range") and node.children[0].text == "date"
            and node.children[1].kind == "literal")


# ------------------------------------------------------------- writing

class _Unwritable(Exception):
    pass


def rule_words(rule: m.Rule, spelled: list[str] | None = None) -> list[str] | str:
    """Words after ``rule [OPTIONS]`` that pcs parses into ``rule``'s
    expressions and nesting (its own attributes go as options), or why none do.

    pcs writes ``boolean-op`` exactly when it joins two or more expressions:
    a rule that differs only there (``and`` left to its default, or an
    operator on a single expression) is written all the same, and said in
    ``spelled``: Pacemaker reads both alike."""
    try:
        return _rule_body(rule, top=True, spelled=spelled if spelled is not None else [])
    except _Unwritable as why:
        return str(why)


def _rule_body(rule: m.Rule, top: bool, spelled: list[str], parent_op: str | None = None) -> list[str]:
    if rule.id_ref:
        raise _Unwritable("a rule by id-ref")
    items = rule.expressions
    if not items:
        raise _Unwritable("an empty rule")
    op = rule.boolean_op or "and"
    if op not in BOOLEANS:
        raise _Unwritable(f"boolean-op {op!r}")
    if len(items) == 1:
        if not top:
            raise _Unwritable("a nested rule of one expression (pcs's parentheses leave no rule)")
        if isinstance(items[0], m.Rule):
            raise _Unwritable("a rule whose only item is a rule")
        if rule.boolean_op is not None:
            spelled.append(f"boolean-op={rule.boolean_op} on a rule of one expression (pcs writes none)")
    else:
        if rule.boolean_op is None:
            spelled.append("boolean-op of a rule left to its default (pcs writes and)")
        if not top and op == parent_op:
            raise _Unwritable("a nested rule with its parent's boolean-op (pcs merges them)")
    if not top and (rule.score != "0" or rule.score_attribute or rule.role):
        raise _Unwritable("a nested rule with a score other than 0 or a role (pcs writes score 0)")
    words: list[str] = []
    for index, item in enumerate(items):
        if index:
            words.append(op)
        if isinstance(item, m.Rule):
            words += ["(", *_rule_body(item, top=False, spelled=spelled, parent_op=op), ")"]
        else:
            words += _item_words(item)
    return words


def _literal(text: str | None) -> str:
    text = text or ""
    if text in SYMBOLS or "(" in text or ")" in text:
        raise _Unwritable(f"a name or value pcs reads as a keyword ({text!r})")
    return text


def _item_words(item) -> list[str]:
    if isinstance(item, m.Expression):
        if item.value_source not in (None, "literal"):
            raise _Unwritable("an expression with value-source")
        if item.operation in PREFIXES:
            if item.value is not None or item.type:
                raise _Unwritable("defined/not_defined with a value or type")
            return [item.operation, _literal(item.attribute)]
        if item.operation not in COMPARISONS or item.value is None:
            raise _Unwritable(f"an expression '{item.operation}' pcs does not write")
        if item.attribute == "date" and item.operation in ("gt", "lt") and not item.type:
            raise _Unwritable("a node attribute named 'date' (pcs reads a date comparison)")
        words = [_literal(item.attribute), item.operation]
        if item.type:
            pattern = _TYPE_VALUE.get(item.type)
            if item.type not in TYPES or (pattern and not pattern.fullmatch(item.value)):
                raise _Unwritable(f"a value pcs refuses as {item.type} ({item.value!r})")
            if "(" in item.value or ")" in item.value:
                raise _Unwritable(f"a value with parentheses ({item.value!r})")
            return words + [item.type, item.value]  # the word after a type is always a value
        return words + [_literal(item.value)]
    if isinstance(item, m.DateExpression):
        return _date_words(item)
    raise _Unwritable(f"a {type(item).__name__} (pcs's location rules have no such expression)")


def _date_words(item: m.DateExpression) -> list[str]:
    op, start, end = item.operation, item.start, item.end
    if op == "gt" and start and not end and not item.duration and not item.date_spec:
        return ["date", "gt", _literal(start)]
    if op == "lt" and end and not start and not item.duration and not item.date_spec:
        return ["date", "lt", _literal(end)]
    if op == "in_range" and start and not item.date_spec:
        if end and not item.duration:
            return ["date", "in_range", _literal(start), "to", _literal(end)]
        if item.duration and not end:
            return ["date", "in_range", _literal(start), "to", "duration",
                    *_date_parts(item.duration, "duration")]
    if op == "date_spec" and item.date_spec and not start and not end and not item.duration:
        return ["date-spec", *_date_parts(item.date_spec, "date-spec")]
    raise _Unwritable(f"a date expression '{op}' of a form pcs does not write")


def _date_parts(spec: m.DateSpec, keyword: str) -> list[str]:
    if not spec.fields:
        raise _Unwritable(f"an empty {keyword}")
    words = []
    for name, value in spec.fields:
        valid = value.isdigit() if keyword == "duration" else _valid_spec_part(name, value)
        if name not in DATE_PARTS or not valid:
            raise _Unwritable(f"{keyword} {name}={value} (pcs takes {', '.join(DATE_PARTS)} as numbers)")
        words.append(f"{name}={value}")
    return words
