"""pcs command scripts → model.

``read_pcs`` reads a script of ``pcs`` commands (the language of
``grammar/pcs.lark``: one command a logical line, ``\\`` continuations,
comments, quoted words) and builds the configuration those commands build on
an empty CIB, the way pcs 0.11 builds it: the same elements, the same
generated ids (``location-R-N-SCORE``, ``R-monitor-interval-10s``,
``R-meta_attributes-NAME``...), the same operations added from the agent's
meta-data.  The commands are applied to CIB elements (``cib.xml_source``
elements, positioned at the words of the command that made them) and the
result goes through the CIB XML reader, so a pcs script, its CIB and the
crm text for it meet in one model.

pcs keeps nodes in corosync.conf, not in the CIB; ``pcs cluster setup NAME
NODE...`` and ``pcs cluster node add NODE`` give the nodes that Pacemaker
would then write (ids 1, 2... in order).

Where pcs reads an agent's meta-data (default operations), this reader runs
the same installed agent; where the agent is not installed it assumes what
pcs assumes then (a monitor every 60 s) and says so in a warning.
"""

from __future__ import annotations

import os
import re
import subprocess
from functools import lru_cache
from typing import Callable
from xml.etree import ElementTree

from lark import Lark, Token
from lark.exceptions import UnexpectedInput

from pengine.cib import model as m
from pengine.cib.errors import InputError, PengineError
from pengine.cib.span import Span
from pengine.cib.xml_source import Element
from pengine.cib.pcs_rules import BOOLEANS, PREFIXES, TYPES, RuleSyntaxError, is_date_comparison, parse_rule

OCF_ROOT = os.environ.get("OCF_ROOT", "/usr/lib/ocf")
FENCE_DIRS = ("/usr/sbin", "/sbin", "/usr/bin")
# flags that take the next word as their value (pcs's getopt long options with '=')
VALUE_FLAGS = frozenset({"-f", "--group", "--before", "--after", "--wait", "--name", "--lifetime",
                         "--corosync_conf", "--request-timeout", "-p", "-u"})
SHORT_FLAGS = frozenset({"-f", "-p", "-u"})
ROLES = {"started": "Started", "stopped": "Stopped", "promoted": "Promoted",
         "unpromoted": "Unpromoted", "master": "Promoted", "slave": "Unpromoted"}
ACTIONS = ("start", "stop", "promote", "demote")
ORDER_KINDS = {"mandatory": "Mandatory", "optional": "Optional", "serialize": "Serialize"}
_ID_FIRST_BAD = re.compile("[^a-zA-Z_]")
_ID_REST_BAD = re.compile("[^a-zA-Z0-9_.-]")
_SHELL_PART = re.compile(r'"((?:[^"\\]|\\.)*)"|\'([^\']*)\'|\\(.)|([^\s"\'\\]+)', re.S)
_TIME = re.compile(r"(\d+)(ms|msec|us|usec|s|sec|m|min|h|hr)?")
DEFAULT_INTERVALS = {"monitor": "60s"}
# per operation: attributes pcs accepts (OCF_CHECK_LEVEL becomes a nested nvpair)
OP_ATTRIBUTES = frozenset({"id", "name", "interval", "description", "start-delay", "interval-origin",
                           "timeout", "enabled", "record-pending", "role", "requires", "on-fail",
                           "OCF_CHECK_LEVEL"})

Warn = Callable[[str, Span], None]


class PcsSyntaxError(InputError):
    """A pcs script that pcs would refuse."""


@lru_cache(maxsize=None)
def _parser() -> Lark:
    from pengine.grammar import pcs_grammar_text
    return Lark(pcs_grammar_text(), parser="lalr", propagate_positions=True, cache=True)


# ================================================================ words ===

class Word:
    """One shell word of a command: its value (quotes removed) and place."""

    __slots__ = ("text", "raw", "line", "column")

    def __init__(self, token: Token):
        self.raw = str(token)
        self.text = unquote(self.raw)
        self.line = token.line
        self.column = token.column

    def __repr__(self):
        return f"Word({self.text!r})"


def unquote(raw: str) -> str:
    out = []
    for match in _SHELL_PART.finditer(raw):
        double, single, escaped, plain = match.groups()
        if double is not None:
            out.append(re.sub(r'\\(["\\$`])', r"\1", double))
        else:
            out.append(next(part for part in (single, escaped, plain) if part is not None))
    return "".join(out)


def looks_like_pcs(text: str) -> bool:
    """Whether a file's first command starts with ``pcs``."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return stripped == "pcs" or stripped.startswith(("pcs ", "pcs\t"))
    return False


def split_script(text: str, filename: str = "<input>") -> list[list[Word]]:
    """The commands of a script, each a list of words (``pcs`` included)."""
    try:
        tree = _parser().parse(text + "\n")
    except UnexpectedInput as error:
        line, column = getattr(error, "line", 0), getattr(error, "column", 0)
        found = getattr(error, "char", None) or getattr(getattr(error, "token", None), "value", "")
        what = "an unterminated quote" if found in ("'", '"') else f"unexpected {found!r}"
        raise PcsSyntaxError(f"cannot split this line into words: {what}",
                             Span(filename, line, column), text,
                             hint="close every quote; '\\' at the end of a line continues it") from None
    commands = []
    for command in tree.children:
        commands.append([Word(token) for token in command.children])
    return commands


# ========================================================= id helpers ===

def sanitize_id(candidate: str) -> str:
    """pcs's sanitize_id: an XML id from any text."""
    if not candidate:
        return candidate
    first = "" if _ID_FIRST_BAD.match(candidate[0]) else candidate[0]
    return first + _ID_REST_BAD.sub("", candidate[1:])


def _seconds(value: str) -> int | None:
    match = _TIME.fullmatch(value.strip())
    if not match:
        return None
    number, unit = int(match.group(1)), match.group(2) or "s"
    if unit in ("ms", "msec"):
        return number // 1000 if number % 1000 == 0 else None
    if unit in ("us", "usec"):
        return None
    return number * {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600}[unit]


# ====================================================== agent meta-data ===

@lru_cache(maxsize=None)
def agent_actions(cls: str, provider: str | None, kind: str) -> tuple[dict, ...] | None:
    """The <action>s of an installed agent's meta-data, or None when the agent
    is not installed here (or gives no meta-data)."""
    if any(part.startswith(".") or "/" in part for part in (provider or "", kind if cls != "stonith" else "")):
        return None  # a script's words never name a path outside the agent directories
    if cls == "ocf" and provider:
        path = os.path.join(OCF_ROOT, "resource.d", provider, kind)
        command = [path, "meta-data"]
    elif cls == "stonith":
        # pcs asks the fencer (stonith_admin), which also knows cluster-glue's
        # external/* plugins; without it, the fence agent itself
        admin = next((os.path.join(d, "stonith_admin") for d in FENCE_DIRS
                      if os.path.isfile(os.path.join(d, "stonith_admin"))), "")
        path = next((os.path.join(d, kind) for d in FENCE_DIRS
                     if "/" not in kind and os.path.isfile(os.path.join(d, kind))), "")
        if admin:
            path, command = admin, [admin, "--metadata", "-a", kind]
        else:
            command = [path, "-o", "metadata"]
    else:  # lsb, service, systemd, upstart, nagios: pcs asks the init system
        return None
    if not path or not os.path.isfile(path) or not os.access(path, os.X_OK) or \
            (cls == "ocf" and "/" in kind):
        return None
    try:
        done = subprocess.run(command, capture_output=True, timeout=10, stdin=subprocess.DEVNULL,
                              env=dict(os.environ, OCF_ROOT=OCF_ROOT))
        if done.returncode != 0:
            return None
        root = ElementTree.fromstring(done.stdout)
    except (OSError, subprocess.SubprocessError, ElementTree.ParseError):
        return None
    actions = root.find("actions")
    return tuple(dict(action.attrib) for action in (actions if actions is not None else ()))


def default_operations(cls: str, provider: str | None, kind: str, warn: Warn | None,
                       span: Span, necessary_only: bool = False) -> list[dict]:
    """The operations pcs adds to a new resource: every action of the agent's
    meta-data but meta-data/status/validate-all (only monitor for a fence
    device), and a monitor in any case."""
    actions = agent_actions(cls, provider, kind)
    if actions is None:
        agent = ":".join(part for part in (cls, provider, kind) if part)
        if warn is not None:
            warn(f"agent {agent} is not installed here: assumed, as pcs does then, that its only "
                 f"default operation is a monitor every 60s", span)
        actions = ()
    if cls == "stonith" or necessary_only:
        chosen = [action for action in actions if action.get("name") == "monitor"]
    else:
        chosen = [action for action in actions
                  if action.get("name") not in ("meta-data", "status", "validate-all")]
    if not any(action.get("name") == "monitor" for action in chosen):
        chosen.append({"name": "monitor"})
    operations = []
    for action in chosen:
        name = action.get("name", "")
        op = {"name": name,
              "interval": action.get("interval") or DEFAULT_INTERVALS.get(name, "0s")}
        if action.get("timeout"):
            op["timeout"] = action["timeout"]
        if action.get("role"):
            op["role"] = ROLES.get(action["role"].lower(), action["role"])
        if action.get("start-delay"):
            op["start-delay"] = action["start-delay"]
        depth = action.get("depth")
        if depth not in (None, "", "0"):
            op["OCF_CHECK_LEVEL"] = depth
        operations.append(op)
    # pcs makes the default intervals of one operation name unique
    used: dict[str, set] = {}
    for op in operations:
        seconds = _seconds(op["interval"])
        if seconds is None:
            continue
        taken = used.setdefault(op["name"], set())
        if seconds in taken:
            while seconds in taken:
                seconds += 1
            op["interval"] = str(seconds)
        taken.add(seconds)
    return operations


def find_ocf_agent(kind: str) -> list[str]:
    """``ocf:PROVIDER:TYPE`` names of installed agents called ``kind``."""
    base = os.path.join(OCF_ROOT, "resource.d")
    try:
        providers = sorted(os.listdir(base))
    except OSError:
        return []
    return [f"ocf:{provider}:{kind}" for provider in providers
            if os.path.isfile(os.path.join(base, provider, kind))]


# ============================================================ reading ===

def read_pcs(text: str, filename: str = "<input>", warn: Warn | None = None) -> m.Configuration:
    """Parse a pcs script into a Configuration, or raise PcsSyntaxError."""
    if text.startswith("\ufeff"):
        text = " " + text[1:]
    commands = split_script(text, filename)
    builder = _Builder(filename, warn)
    try:
        for words in commands:
            builder.command(words)
        root = builder.finish()
        from pengine.cib.cib_xml import XmlReader
        return XmlReader(filename).configuration(root)
    except PengineError as error:
        if error.source is None:
            error.source = text
        raise


_WARNED: set = set()


def warn_on_stderr(text: str) -> Warn:
    """A Warn that prints each warning once, compiler-style, on stderr."""
    import sys
    from pengine.cib.errors import Diagnostic

    def warn(message: str, span: Span):
        if (span.file, message) not in _WARNED:  # a file may be loaded twice (check)
            _WARNED.add((span.file, message))
            print(Diagnostic("warning", message, span).render(text), file=sys.stderr)
    return warn


class _Args:
    """The words of one command after ``pcs``, flags taken out (pcs accepts
    them anywhere on the line)."""

    def __init__(self, words: list[Word], error):
        self.flags: dict[str, Word | None] = {}
        self.flag_words: dict[str, Word] = {}
        self.words: list[Word] = []
        self.error = error
        index = 0
        while index < len(words):
            word = words[index]
            text = word.text
            # long options and -f; '-INFINITY' or '-100' are scores, not flags
            if (text.startswith("--") and len(text) > 2) or text in SHORT_FLAGS:
                name, has_value, value = text.partition("=")
                if has_value:
                    self.flags[name] = _word_with(word, value)
                elif name in VALUE_FLAGS and name != "--wait":
                    if index + 1 >= len(words):
                        error(word, f"option '{name}' requires a value")
                    index += 1
                    self.flags[name] = words[index]
                else:
                    self.flags[name] = None
                self.flag_words[name] = word
            else:
                self.words.append(word)
            index += 1

    def has(self, flag: str) -> bool:
        return flag in self.flags

    def value(self, flag: str) -> str | None:
        word = self.flags.get(flag)
        return word.text if word is not None else None


def _word_with(word: Word, text: str) -> Word:
    copy = Word.__new__(Word)
    copy.raw, copy.text, copy.line, copy.column = text, text, word.line, word.column
    return copy


def _pairs(words: list[Word], error, what: str = "option") -> list[tuple[str, str, Word]]:
    """name=value words as (name, value, word)."""
    pairs = []
    for word in words:
        name, has_value, value = word.text.partition("=")
        if not has_value or not name:
            error(word, f"missing value of '{word.text}' {what}",
                  hint=f"{what}s are name=value")
        pairs.append((name, value, word))
    return pairs


def _split_keywords(words: list[Word], keywords: set[str]) -> list[tuple[str, Word | None, list[Word]]]:
    """Groups of words, each started by one of ``keywords`` (the first by none)."""
    groups: list[tuple[str, Word | None, list[Word]]] = [("", None, [])]
    for word in words:
        if word.text in keywords:
            groups.append((word.text, word, []))
        else:
            groups[-1][2].append(word)
    return groups


class _Builder:
    """Applies pcs commands to a CIB built of positioned elements."""

    def __init__(self, filename: str, warn: Warn | None):
        self.filename = filename
        self.warn = warn
        self.place: Word | None = None
        self.configuration = self._element("configuration", {})
        self.sections = {}
        for name in ("crm_config", "nodes", "resources", "constraints"):
            self.section(name)
        self.node_names: list[str] = []

    # ------------------------------------------------------------ helpers
    def _element(self, tag: str, attrib: dict, where: Word | None = None) -> Element:
        where = where or self.place
        line, column = (where.line, where.column - 1) if where is not None else (0, 0)
        return Element(tag, dict(attrib), line, column)

    def add(self, parent: Element, tag: str, attrib: dict | None = None,
            where: Word | None = None, index: int | None = None) -> Element:
        child = self._element(tag, attrib or {}, where)
        if index is None:
            parent.children.append(child)
        else:
            parent.children.insert(index, child)
        return child

    def section(self, name: str) -> Element:
        found = self.configuration.find(name)
        if found is None:
            found = self.add(self.configuration, name)
        return found

    def error(self, word: Word | None, message: str, hint: str = ""):
        span = Span(self.filename, word.line, word.column) if word is not None else Span(self.filename)
        raise PcsSyntaxError(message, span, hint=hint)

    def span(self, word: Word | None) -> Span:
        return Span(self.filename, word.line, word.column) if word else Span(self.filename)

    def all_elements(self):
        stack = [self.configuration]
        while stack:
            element = stack.pop()
            yield element
            stack.extend(reversed(element.children))

    def ids(self) -> set[str]:
        return {element.attrib["id"] for element in self.all_elements() if "id" in element.attrib}

    def unique_id(self, candidate: str, reserved: set[str] = frozenset()) -> str:
        """pcs's find_unique_id: ID, ID-1, ID-2..."""
        taken = self.ids() | set(reserved)
        found, counter = candidate, 1
        while found in taken:
            found = f"{candidate}-{counter}"
            counter += 1
        return found

    def subelement_id(self, parent: Element, suffix: str) -> str:
        return self.unique_id(sanitize_id(f"{parent.get('id', parent.tag)}-{suffix}"))

    def parent_of(self, target: Element) -> Element | None:
        for element in self.all_elements():
            if any(child is target for child in element.children):
                return element
        return None

    def by_id(self, rsc_id: str, tags=("primitive", "group", "clone", "master", "bundle")) -> Element | None:
        for element in self.all_elements():
            if element.tag in tags and element.get("id") == rsc_id:
                return element
        return None

    def resource(self, word: Word, tags=("primitive", "group", "clone", "master", "bundle")) -> Element:
        found = self.by_id(word.text, tags)
        if found is None:
            if self.by_id(word.text, ("tag",)) is not None and "tag" in tags:
                return self.by_id(word.text, ("tag",))
            self.error(word, f"Resource '{word.text}' does not exist")
        return found

    def check_new_id(self, word: Word, what: str = "id"):
        if not word.text or _ID_FIRST_BAD.match(word.text[0]) or _ID_REST_BAD.search(word.text[1:]):
            self.error(word, f"invalid {what} '{word.text}'",
                       hint="an id starts with a letter or '_' and holds letters, digits, '_', '.', '-'")
        if word.text in self.ids():
            self.error(word, f"'{word.text}' already exists")

    # ------------------------------------------------------------ nvsets
    def nvset(self, parent: Element, tag: str, pairs, set_id: str | None = None,
              sort: bool = False) -> Element:
        """A new nvset with ``pairs`` (pcs sorts them at resource creation)."""
        element = self.add(parent, tag, {"id": set_id or self.subelement_id(parent, tag)})
        items = sorted(pairs, key=lambda pair: pair[0]) if sort else list(pairs)
        for name, value, word in items:
            if value != "":
                self.add(element, "nvpair", {"id": self.subelement_id(element, name), "name": name,
                                             "value": value}, where=word)
        return element

    def update_nvset(self, parent: Element, tag: str, pairs, set_id: str | None = None) -> Element:
        """pcs's arrange_first_nvset: the first set of that kind (made if
        missing), a name set in place, a new name appended, an empty value removed."""
        element = parent.find(tag)
        if element is None and all(value == "" for _, value, _ in pairs):
            return None  # nothing to remove, and pcs makes no empty set for it
        if element is None:
            element = self.add(parent, tag, {"id": set_id or self.subelement_id(parent, tag)})
        for name, value, word in pairs:
            existing = next((pair for pair in element.findall("nvpair") if pair.get("name") == name), None)
            if value == "":
                if existing is not None:
                    element.children.remove(existing)
            elif existing is not None:
                existing.attrib["value"] = value
            else:
                self.add(element, "nvpair", {"id": self.subelement_id(element, name), "name": name,
                                             "value": value}, where=word)
        return element

    # ----------------------------------------------------------- commands
    def command(self, words: list[Word]):
        self.place = words[0]
        if words[0].text != "pcs":
            self.error(words[0], f"'{words[0].text}' is not a pcs command",
                       hint="every command of a pcs script starts with 'pcs'")
        args = _Args(words[1:], lambda word, message, hint="": self.error(word, message, hint))
        argv = args.words
        if not argv:
            self.error(words[0], "pcs: no command given")
        self.place = argv[0]
        head = argv[0].text
        handlers = {"resource": self.resource_command, "stonith": self.stonith_command,
                    "constraint": self.constraint_command, "property": self.property_command,
                    "node": self.node_command, "tag": self.tag_command, "alert": self.alert_command,
                    "cluster": self.cluster_command}
        handler = handlers.get(head)
        if handler is None:
            self.error(argv[0], f"unknown command '{head}'",
                       hint="this reader knows: " + ", ".join(sorted(handlers)))
        handler(argv[1:], args, argv[0])

    def need(self, argv: list[Word], count: int, after: Word, usage: str):
        if len(argv) < count:
            self.error(argv[-1] if argv else after, f"missing arguments: usage: pcs {usage}")

    def subcommand(self, argv, after: Word, table: dict, group: str):
        if not argv:
            self.error(after, f"missing {group} subcommand", hint="one of: " + ", ".join(table))
        handler = table.get(argv[0].text)
        if handler is None:
            self.error(argv[0], f"unknown {group} command '{argv[0].text}'",
                       hint="this reader knows: " + ", ".join(table))
        return handler

    # ------------------------------------------------------------ cluster
    def cluster_command(self, argv, args, head):
        if argv[:1] and argv[0].text == "setup":
            self.need(argv, 3, argv[0], "cluster setup CLUSTER_NAME NODE [addr=ADDR]... [NODE...]")
            for word in argv[2:]:
                if word.text in ("transport", "totem", "quorum"):
                    break
                if "=" not in word.text:
                    self.add_node(word)
        elif argv[:2] and [w.text for w in argv[:2]] == ["node", "add"]:
            self.need(argv, 3, argv[1], "cluster node add NODE [addr=ADDR]...")
            self.add_node(argv[2])
        else:
            self.error(argv[0] if argv else head, "this reader knows 'pcs cluster setup' and "
                       "'pcs cluster node add' (the nodes); other cluster commands do not change "
                       "the configuration")

    def add_node(self, word: Word):
        if word.text in self.node_names:
            self.error(word, f"node '{word.text}' is already in the cluster")
        self.node_names.append(word.text)
        self.add(self.section("nodes"), "node",
                 {"id": str(len(self.node_names)), "uname": word.text}, where=word)

    def node(self, word: Word) -> Element:
        for element in self.section("nodes").children:
            if element.get("uname") == word.text:
                return element
        self.error(word, f"Unable to locate node '{word.text}' in the configuration",
                   hint="declare the nodes first: pcs cluster setup NAME NODE1 NODE2 ...")

    # ------------------------------------------------------------ property
    def property_command(self, argv, args, head):
        if not argv or argv[0].text not in ("set", "unset"):
            self.error(argv[0] if argv else head, "this reader knows 'pcs property set' and 'unset'")
        crm_config = self.section("crm_config")
        properties = crm_config.find("cluster_property_set")
        if properties is None:
            properties = self.add(crm_config, "cluster_property_set", {"id": "cib-bootstrap-options"})
        if argv[0].text == "unset":
            pairs = [(word.text, "", word) for word in argv[1:]]
        else:
            pairs = _pairs(argv[1:], self.error, "property")
        self.update_nvset(crm_config, "cluster_property_set", pairs)

    # ---------------------------------------------------------------- node
    def node_command(self, argv, args, head):
        if not argv or argv[0].text not in ("attribute", "utilization"):
            self.error(argv[0] if argv else head, "this reader knows 'pcs node attribute' and "
                       "'pcs node utilization'")
        self.need(argv, 3, argv[0], f"node {argv[0].text} NODE NAME=VALUE...")
        node = self.node(argv[1])
        pairs = _pairs(argv[2:], self.error, "attribute")
        if argv[0].text == "attribute":
            self.update_nvset(node, "instance_attributes", pairs, set_id=self.unique_id(f"nodes-{node.get('id')}"))
        else:
            self.update_nvset(node, "utilization", pairs,
                              set_id=self.unique_id(f"nodes-{node.get('id')}-utilization"))

    # ----------------------------------------------------------------- tag
    def tag_command(self, argv, args, head):
        if not argv or argv[0].text != "create":
            self.error(argv[0] if argv else head, "this reader knows 'pcs tag create'")
        self.need(argv, 3, argv[0], "tag create TAG_ID ID [ID...]")
        self.check_new_id(argv[1], "tag id")
        tags = self.configuration.find("tags")
        if tags is None:
            tags = self.add(self.configuration, "tags")
        tag = self.add(tags, "tag", {"id": argv[1].text}, where=argv[1])
        for word in argv[2:]:
            self.resource(word)
            self.add(tag, "obj_ref", {"id": word.text}, where=word)

    # --------------------------------------------------------------- alert
    def alert_command(self, argv, args, head):
        if argv[:1] and argv[0].text == "create":
            self.alert_create(argv[1:], argv[0])
        elif [w.text for w in argv[:2]] == ["recipient", "add"]:
            self.recipient_add(argv[2:], argv[1])
        else:
            self.error(argv[0] if argv else head, "this reader knows 'pcs alert create' and "
                       "'pcs alert recipient add'")

    def _alert_parts(self, argv):
        groups = _split_keywords(argv, {"options", "meta"})
        own = {name: (value, word) for name, value, word in _pairs(groups[0][2], self.error)}
        options = [pair for kind, _, words in groups if kind == "options"
                   for pair in _pairs(words, self.error)]
        meta = [pair for kind, _, words in groups if kind == "meta" for pair in _pairs(words, self.error)]
        return own, options, meta

    def alert_create(self, argv, after):
        own, options, meta = self._alert_parts(argv)
        if "path" not in own:
            self.error(after, "required option 'path' is missing")
        alerts = self.configuration.find("alerts")
        if alerts is None:
            alerts = self.add(self.configuration, "alerts")
        alert_id = own["id"][0] if "id" in own else self.unique_id("alert")
        attrib = {"id": alert_id, "path": own["path"][0]}
        if own.get("description", ("",))[0]:
            attrib["description"] = own["description"][0]
        alert = self.add(alerts, "alert", attrib)
        self._alert_sets(alert, options, meta)

    def _alert_sets(self, element, options, meta):
        if meta:
            self.nvset(element, "meta_attributes", meta)
        if options:
            self.nvset(element, "instance_attributes", options)

    def recipient_add(self, argv, after):
        self.need(argv, 2, after, "alert recipient add ALERT_ID value=VALUE [id=ID] ...")
        alert = next((element for element in self.all_elements()
                      if element.tag == "alert" and element.get("id") == argv[0].text), None)
        if alert is None:
            self.error(argv[0], f"Alert '{argv[0].text}' does not exist")
        own, options, meta = self._alert_parts(argv[1:])
        if "value" not in own:
            self.error(argv[0], "required option 'value' is missing")
        recipient_id = own["id"][0] if "id" in own else self.unique_id(f"{alert.get('id')}-recipient")
        attrib = {"id": recipient_id, "value": own["value"][0]}
        if own.get("description", ("",))[0]:
            attrib["description"] = own["description"][0]
        recipient = self.add(alert, "recipient", attrib)
        self._alert_sets(recipient, options, meta)

    # ------------------------------------------------------------ stonith
    def stonith_command(self, argv, args, head):
        if argv[:1] and argv[0].text == "create":
            self.need(argv, 3, argv[0], "stonith create STONITH_ID STONITH_DEVICE_TYPE [OPTIONS]")
            agent = argv[2].text
            if ":" in agent:
                self.error(argv[2], f"'{agent}' is not a fence agent name",
                           hint="pcs stonith create takes the agent without a class, as in fence_xvm")
            self.create_resource(argv[1], ("stonith", None, agent), argv[3:], args, argv[2])
        elif [w.text for w in argv[:2]] == ["level", "add"]:
            self.level_add(argv[2:], argv[1])
        elif argv[:1] and argv[0].text in ("update", "meta", "op", "disable", "enable", "defaults"):
            self.resource_command(argv, args, head)
        else:
            self.error(argv[0] if argv else head, "this reader knows 'pcs stonith create' and "
                       "'pcs stonith level add'")

    def level_add(self, argv, after):
        self.need(argv, 3, after, "stonith level add LEVEL TARGET STONITH_ID [STONITH_ID...]")
        level, target = argv[0], argv[1]
        if not level.text.isdigit() or not 1 <= int(level.text) <= 9:
            self.error(level, f"'{level.text}' is not a valid level value, use a positive integer "
                       "from 1 to 9")
        attrib = {"index": level.text, "devices": ",".join(word.text for word in argv[2:])}
        kind, _, value = target.text.partition("%")
        if kind == "regexp" and value:
            attrib["target-pattern"] = value
            suffix = value
        elif kind == "attrib" and value:
            name, _, attr_value = value.partition("=")
            attrib["target-attribute"], attrib["target-value"] = name, attr_value
            suffix = name
        else:
            target_name = value if kind == "node" and value else target.text
            attrib["target"] = target_name
            suffix = target_name
        for word in argv[2:]:
            found = self.by_id(word.text, ("primitive",))
            if found is None or found.get("class") != "stonith":
                self.error(word, f"Stonith resource(s) '{word.text}' do not exist")
        topology = self.configuration.find("fencing-topology")
        if topology is None:
            topology = self.add(self.configuration, "fencing-topology")
        attrib["id"] = self.unique_id(sanitize_id(f"fl-{suffix}-{level.text}"))
        self.add(topology, "fencing-level", attrib, where=level)

    # ----------------------------------------------------------- resource
    def resource_command(self, argv, args, head):
        table = {"create": self.resource_create, "group": self.resource_group,
                 "clone": self.resource_clone, "promotable": self.resource_promotable,
                 "meta": self.resource_meta, "update": self.resource_update, "op": self.resource_op,
                 "defaults": self.resource_defaults, "utilization": self.resource_utilization,
                 "disable": self.resource_disable, "enable": self.resource_enable,
                 "ban": self.resource_ban, "move": self.resource_move,
                 "move-with-constraint": self.resource_move_with_constraint,
                 "clear": self.resource_clear, "bundle": self.resource_bundle}
        handler = self.subcommand(argv, head, table, "resource")
        handler(argv[1:], args, argv[0])

    def agent(self, word: Word) -> tuple[str, str | None, str]:
        parts = word.text.split(":")
        if len(parts) == 3 and all(parts):
            return parts[0], parts[1], parts[2]
        if len(parts) == 2 and all(parts) and parts[0] != "ocf":
            return parts[0], None, parts[1]
        if len(parts) == 1 and parts[0]:
            found = find_ocf_agent(parts[0])
            if len(found) == 1:
                return tuple(found[0].split(":"))  # type: ignore[return-value]
            if len(found) > 1:
                self.error(word, f"Multiple agents match '{word.text}', please specify full name",
                           hint=", ".join(found))
            self.error(word, f"Unable to find agent '{word.text}', try specifying its full name",
                       hint="standard:provider:type, as in ocf:heartbeat:IPaddr2")
        self.error(word, f"Invalid resource agent name '{word.text}'",
                   hint="use the standard:provider:type format, as in ocf:heartbeat:IPaddr2")

    def resource_create(self, argv, args, after):
        self.need(argv, 2, after, "resource create RESOURCE_ID [STANDARD:[PROVIDER:]]TYPE [OPTIONS]")
        self.create_resource(argv[0], self.agent(argv[1]), argv[2:], args, argv[1])

    def create_resource(self, id_word: Word, agent, rest, args, agent_word: Word):
        self.check_new_id(id_word, "resource id")
        cls, provider, kind = agent
        groups = _split_keywords(rest, {"op", "meta", "clone", "promotable", "bundle"})
        params, meta, ops, wrap = [], [], [], None
        for keyword, word, words in groups:
            if keyword == "":
                params += _pairs(words, self.error)
            elif keyword == "meta":
                meta += _pairs(words, self.error, "meta attribute")
            elif keyword == "op":
                ops += self.operation_groups(words, word)
            else:
                if wrap is not None:
                    self.error(word, f"'{keyword}' cannot follow '{wrap[0]}'")
                wrap = (keyword, word, words)
        group_word = args.flags.get("--group")
        if wrap is not None and group_word is not None:
            self.error(wrap[1], f"you cannot specify both --group and {wrap[0]}")
        if args.has("--disabled"):
            if wrap is not None and wrap[0] in ("clone", "promotable"):  # pcs disables the clone
                wrap = (wrap[0], wrap[1], wrap[2] + [_word_with(id_word, "target-role=Stopped")])
            else:
                meta = [pair for pair in meta if pair[0] != "target-role"] + [("target-role", "Stopped", id_word)]
        attrib = {"id": id_word.text, "class": cls, "type": kind}
        if provider:
            attrib["provider"] = provider
        primitive = self._element("primitive", attrib, id_word)
        if params:
            self.nvset_into(primitive, "instance_attributes", params, id_word.text)
        if meta:
            self.nvset_into(primitive, "meta_attributes", meta, id_word.text)
        named = {op["name"] for op, _ in ops}
        # the assumption about a missing agent matters only if its monitor is used
        defaults = default_operations(cls, provider, kind,
                                      self.warn if "monitor" not in named else None,
                                      self.span(agent_word), necessary_only=args.has("--no-default-ops"))
        named = {op["name"] for op, _ in ops}
        all_ops = [(op, word) for op, word in ops] + [(op, id_word) for op in defaults
                                                       if op["name"] not in named]
        self.check_intervals(ops)
        resources = self.section("resources")
        # ids are allocated as pcs does: on the tree the primitive is part of
        if wrap is not None and wrap[0] == "bundle":
            bundle = self.by_id(wrap[2][0].text, ("bundle",)) if wrap[2] else None
            if bundle is None:
                self.error(wrap[2][0] if wrap[2] else wrap[1], "Bundle "
                           f"'{wrap[2][0].text if wrap[2] else ''}' does not exist")
            bundle.children.append(primitive)
        elif group_word is not None:
            group = self.group_for(group_word)
            self.insert_in_group(group, [primitive], args)
        else:
            resources.children.append(primitive)
        self.set_ids(primitive)
        operations = self.add(primitive, "operations", where=id_word)
        for op, word in sorted(all_ops, key=lambda item: item[0]["name"]):
            self.append_op(operations, op, word)
        if wrap is not None and wrap[0] in ("clone", "promotable"):
            self.wrap_clone(primitive, wrap[1], wrap[2], promotable=wrap[0] == "promotable")

    def nvset_into(self, element, tag, pairs, owner_id):
        """An nvset of a new resource, sorted by name; ids allocated later."""
        nvset = self._element(tag, {"id": None})
        for name, value, word in sorted(pairs, key=lambda pair: pair[0]):
            if value != "":
                nvset.children.append(self._element("nvpair", {"id": None, "name": name,
                                                                "value": value}, word))
        element.children.append(nvset)

    def set_ids(self, element):
        """Allocate the pending ids of a new element's nvsets, in document order."""
        for nvset in element.children:
            if nvset.tag in ("instance_attributes", "meta_attributes", "utilization") \
                    and nvset.get("id") is None:
                nvset.attrib["id"] = None
                nvset.attrib["id"] = self.subelement_id(element, nvset.tag)
                for pair in nvset.children:
                    pair.attrib["id"] = None
                    pair.attrib["id"] = self.subelement_id(nvset, pair.get("name"))

    def operation_groups(self, words: list[Word], op_word: Word) -> list[tuple[dict, Word]]:
        """``op NAME k=v ... [NAME k=v ...]`` → operation dicts."""
        ops = []
        for word in words:
            if "=" not in word.text:
                ops.append(({"name": word.text}, word))
                continue
            if not ops:
                self.error(word, f"When using 'op' you must specify an operation name after 'op'")
            name, _, value = word.text.partition("=")
            if name not in OP_ATTRIBUTES:
                self.error(word, f"invalid resource operation option '{name}', allowed options "
                           f"are: {', '.join(sorted(OP_ATTRIBUTES - {'name'}))}")
            if name == "role":
                value = ROLES.get(value.lower(), value)
            elif name in ("on-fail", "record-pending", "enabled"):
                value = value.lower()
            if value == "":  # pcs drops options without a value
                ops[-1][0].pop(name, None)
                continue
            ops[-1][0][name] = value
        if not ops:
            self.error(op_word, "When using 'op' you must specify an operation name and at least "
                       "one option")
        for op, word in ops:
            op.setdefault("interval", DEFAULT_INTERVALS.get(op["name"], "0s"))
        return ops

    def check_intervals(self, ops):
        seen: dict[tuple, Word] = {}
        for op, word in ops:
            key = (op["name"], _seconds(op["interval"]) if _seconds(op["interval"]) is not None
                   else op["interval"])
            if key in seen:
                self.error(word, f"multiple specification of the same operation with the same "
                           f"interval: {op['name']} with intervals {op['interval']}")
            seen[key] = word

    def append_op(self, operations: Element, op: dict, word: Word) -> Element:
        attrib = {key: value for key, value in op.items() if key != "OCF_CHECK_LEVEL"}
        if "id" not in attrib:
            attrib["id"] = self.subelement_id(self.parent_of(operations),
                                              f"{op['name']}-interval-{op['interval']}")
        elif attrib["id"] in self.ids():
            self.error(word, f"'{attrib['id']}' already exists")
        element = self.add(operations, "op", attrib, where=word)
        if "OCF_CHECK_LEVEL" in op:
            self.nvset(element, "instance_attributes", [("OCF_CHECK_LEVEL", op["OCF_CHECK_LEVEL"], word)])
        return element

    # -------------------------------------------------- groups and clones
    def group_for(self, word: Word) -> Element:
        group = self.by_id(word.text, ("group",))
        if group is None:
            if self.by_id(word.text) is not None:
                self.error(word, f"'{word.text}' is not a group")
            self.check_new_id(word, "group name")
            group = self.add(self.section("resources"), "group", {"id": word.text}, where=word)
        return group

    def insert_in_group(self, group: Element, primitives: list[Element], args):
        anchor_flag = "--before" if args.has("--before") else "--after" if args.has("--after") else None
        members = [child for child in group.children if child.tag == "primitive"]
        if anchor_flag is None:
            index = len(group.children)
        else:
            anchor_word = args.flags[anchor_flag]
            anchor = next((child for child in members if child.get("id") == anchor_word.text), None)
            if anchor is None:
                self.error(anchor_word, f"there is no resource '{anchor_word.text}' in the group "
                           f"'{group.get('id')}'")
            index = group.children.index(anchor) + (1 if anchor_flag == "--after" else 0)
        for primitive in primitives:
            group.children.insert(index, primitive)
            index += 1

    def detach(self, element: Element):
        """Take a primitive out of its parent; an emptied group goes too (as pcs does)."""
        parent = self.parent_of(element)
        parent.children.remove(element)
        if parent.tag == "group" and not parent.findall("primitive"):
            self.remove_resource(parent)

    def remove_resource(self, element: Element):
        parent = self.parent_of(element)
        parent.children.remove(element)
        if parent.tag in ("clone", "master"):
            self.remove_resource(parent)

    def resource_group(self, argv, args, after):
        if not argv or argv[0].text != "add":
            self.error(argv[0] if argv else after, "this reader knows 'pcs resource group add'")
        self.need(argv, 3, argv[0], "resource group add GROUP_ID RESOURCE_ID [RESOURCE_ID...]")
        group_word = argv[1]
        members = []
        for word in argv[2:]:
            primitive = self.resource(word, ("primitive",))
            parent = self.parent_of(primitive)
            if parent.tag in ("clone", "master", "bundle"):
                self.error(word, f"cannot put a cloned or bundled resource '{word.text}' in a group")
            members.append(primitive)
        group = self.group_for(group_word)
        for primitive in members:
            if self.parent_of(primitive) is not None:
                self.detach(primitive)
        if self.parent_of(group) is None:  # emptied and removed by detach: put it back
            self.section("resources").children.append(group)
        self.insert_in_group(group, members, args)

    def resource_clone(self, argv, args, after):
        self.need(argv, 1, after, "resource clone RESOURCE_ID [CLONE_ID] [OPTIONS]")
        self.wrap_clone(self.resource(argv[0], ("primitive", "group")), after, argv[1:], False)

    def resource_promotable(self, argv, args, after):
        self.need(argv, 1, after, "resource promotable RESOURCE_ID [CLONE_ID] [OPTIONS]")
        self.wrap_clone(self.resource(argv[0], ("primitive", "group")), after, argv[1:], True)

    def wrap_clone(self, element: Element, word: Word, options: list[Word], promotable: bool):
        parent = self.parent_of(element)
        if parent.tag != "resources":
            self.error(word, f"'{element.get('id')}' is in a {parent.tag} and cannot be cloned")
        clone_id_word = options[0] if options and "=" not in options[0].text else None
        pairs = _pairs(options[1:] if clone_id_word else options, self.error, "clone option")
        if promotable:
            if any(name == "promotable" for name, _, _ in pairs):
                self.error(word, "you cannot specify 'promotable' option when creating a "
                           "promotable clone")
            pairs.append(("promotable", "true", word))
        if clone_id_word is not None:
            self.check_new_id(clone_id_word, "clone id")
            clone_id = clone_id_word.text
        else:
            clone_id = self.unique_id(f"{element.get('id')}-clone")
        clone = self._element("clone", {"id": clone_id}, word)
        parent.children[parent.children.index(element)] = clone
        clone.children.append(element)
        if pairs:
            self.nvset(clone, "meta_attributes", pairs, sort=True)

    # ------------------------------------------------ meta, update, ops
    def resource_meta(self, argv, args, after):
        self.need(argv, 2, after, "resource meta RESOURCE_ID META_OPTION=VALUE...")
        element = self.resource(argv[0])
        self.update_nvset(element, "meta_attributes", _pairs(argv[1:], self.error, "meta attribute"))

    def resource_utilization(self, argv, args, after):
        self.need(argv, 2, after, "resource utilization RESOURCE_ID NAME=VALUE...")
        element = self.resource(argv[0], ("primitive",))
        self.update_nvset(element, "utilization", _pairs(argv[1:], self.error, "utilization attribute"))

    def resource_update(self, argv, args, after):
        self.need(argv, 1, after, "resource update RESOURCE_ID [OPTIONS] [op ...] [meta ...]")
        element = self.resource(argv[0])
        groups = _split_keywords(argv[1:], {"op", "meta"})
        for keyword, word, words in groups:
            if keyword == "":
                if words and element.tag != "primitive":
                    target = element
                    self.update_nvset(target, "meta_attributes", _pairs(words, self.error))
                elif words:
                    self.update_nvset(element, "instance_attributes", _pairs(words, self.error))
            elif keyword == "meta":
                self.update_nvset(element, "meta_attributes", _pairs(words, self.error, "meta attribute"))
            else:
                if element.tag != "primitive":
                    self.error(word, "operations can be set on a primitive resource only")
                operations = element.find("operations")
                if operations is None:
                    operations = self.add(element, "operations")
                for op, op_word in self.operation_groups(words, word):
                    # the new operation takes the place of the first one of its name
                    place = None
                    for existing in operations.findall("op"):
                        if existing.get("name") == op["name"]:
                            if place is None:
                                place = operations.children.index(existing)
                            operations.children.remove(existing)
                    new = self.append_op(operations, op, op_word)
                    if place is not None:
                        operations.children.remove(new)
                        operations.children.insert(place, new)

    def resource_op(self, argv, args, after):
        if argv[:1] and argv[0].text == "defaults":
            return self.resource_defaults(argv[1:], args, argv[0], "op_defaults")
        if not argv or argv[0].text not in ("add", "remove", "delete"):
            self.error(argv[0] if argv else after, "this reader knows 'pcs resource op add', "
                       "'op remove' and 'op defaults'")
        if argv[0].text == "add":
            self.need(argv, 3, argv[0], "resource op add RESOURCE_ID OPERATION_ACTION [OPTIONS]")
            element = self.resource(argv[1], ("primitive",))
            operations = element.find("operations")
            if operations is None:
                operations = self.add(element, "operations")
            for op, word in self.operation_groups(argv[2:], argv[0]):
                for existing in operations.findall("op"):
                    if existing.get("name") == op["name"] and \
                            _seconds(existing.get("interval", "0")) == _seconds(op["interval"]):
                        self.error(word, f"operation {op['name']} with interval {op['interval']} "
                                   f"already specified for {element.get('id')}")
                self.append_op(operations, op, word)
            return
        self.need(argv, 2, argv[0], "resource op remove RESOURCE_ID OPERATION_ACTION [OPTIONS] | "
                  "OPERATION_ID")
        if len(argv) == 2:
            for element in self.all_elements():
                if element.tag == "op" and element.get("id") == argv[1].text:
                    self.parent_of(element).children.remove(element)
                    return
            self.error(argv[1], f"unable to find operation id: {argv[1].text}")
        element = self.resource(argv[1], ("primitive",))
        name, wanted = argv[2].text, dict((n, v) for n, v, _ in _pairs(argv[3:], self.error))
        operations = element.find("operations")
        removed = False
        for existing in list(operations.findall("op") if operations is not None else ()):
            attrs = {key: value for key, value in existing.attrib.items() if key not in ("id", "name")}
            if existing.get("name") == name and (not wanted or attrs == wanted):
                operations.children.remove(existing)
                removed = True
        if not removed:
            self.error(argv[2], "Unable to find operation matching: " +
                       " ".join([name] + [f"{k}={v}" for k, v in wanted.items()]))

    def resource_defaults(self, argv, args, after, section="rsc_defaults"):
        if [word.text for word in argv[:2]] == ["set", "create"]:
            return self.defaults_set_create(argv[2:], argv[1], section)
        if argv[:1] and argv[0].text in ("update", "set"):
            if argv[0].text == "set":
                self.error(argv[0], "this reader knows 'defaults NAME=VALUE' and 'defaults update'")
            argv = argv[1:]
        pairs = _pairs(argv, self.error, "default")
        self.update_nvset(self.section(section), "meta_attributes", pairs, set_id=None)

    def defaults_set_create(self, argv, after, section):
        """``defaults set create [id=ID] [score=S] [meta NAME=VALUE...] [rule EXPRESSION]``."""
        groups = _split_keywords(argv, {"meta", "rule"})
        own = {name: (value, word) for name, value, word in _pairs(groups[0][2], self.error, "set option")}
        for name, (_, word) in own.items():
            if name not in ("id", "score"):
                self.error(word, f"invalid set option '{name}', allowed options are: 'id', 'score'")
        parent = self.section(section)
        if "id" in own:
            self.check_new_id(_word_with(own["id"][1], own["id"][0]), "set id")
            set_id = own["id"][0]
        else:
            set_id = self.unique_id(f"{section}-meta_attributes")
        attrib = {"id": set_id}
        if "score" in own:
            attrib["score"] = own["score"][0]
        nvset = self.add(parent, "meta_attributes", attrib, where=after)
        for keyword, word, words in groups[1:]:
            if keyword == "rule":
                self.defaults_rule(nvset, words, word, section)
        for keyword, word, words in groups[1:]:
            if keyword == "meta":
                for name, value, pair_word in _pairs(words, self.error, "meta attribute"):
                    self.add(nvset, "nvpair", {"id": self.subelement_id(nvset, name), "name": name,
                                               "value": value}, where=pair_word)

    def defaults_rule(self, nvset: Element, words: list[Word], rule_word: Word, section: str):
        """pcs's rule syntax for defaults: ``resource C:P:T`` and (op defaults)
        ``op NAME [interval=I]`` joined by one kind of and/or."""
        pieces, joins, current = [], [], []
        for word in words:
            if word.text in ("and", "or"):
                pieces.append(current)
                joins.append(word)
                current = []
            else:
                current.append(word)
        pieces.append(current)
        if any(not piece for piece in pieces):
            self.error(rule_word, "missing rule expression")
        if len({join.text for join in joins}) > 1:
            self.error(joins[0], "mixing 'and' and 'or' needs parentheses, which this reader "
                       "does not read yet")
        rule = self.add(nvset, "rule", {"id": self.subelement_id(nvset, "rule"),
                                        "boolean-op": joins[0].text if joins else "and",
                                        "score": "INFINITY"}, where=rule_word)
        for piece in pieces:
            head = piece[0].text
            if head == "resource" and len(piece) == 2:
                parts = piece[1].text.split(":")
                if len(parts) != 3:
                    self.error(piece[1], f"'{piece[1].text}' is not a resource agent pattern",
                               hint="STANDARD:PROVIDER:TYPE, any part may be empty, as in ::Dummy")
                attrib = {name: value for name, value in zip(("class", "provider", "type"), parts) if value}
                suffix = "-".join(["rsc", *[part for part in parts if part]])
                self.add(rule, "rsc_expression", {"id": self.subelement_id(rule, suffix), **attrib},
                         where=piece[0])
            elif head == "op" and len(piece) in (2, 3) and section == "op_defaults":
                attrib = {"name": piece[1].text}
                if len(piece) == 3:
                    name, _, value = piece[2].text.partition("=")
                    if name != "interval":
                        self.error(piece[2], "expected interval=VALUE after the operation name")
                    attrib["interval"] = value
                self.add(rule, "op_expression", {"id": self.subelement_id(rule, f"op-{piece[1].text}"),
                                                 **attrib}, where=piece[0])
            else:
                what = "'resource' expressions" if section == "rsc_defaults" else \
                    "'resource' and 'op' expressions"
                self.error(piece[0], f"this command's rules take {what}")

    def resource_disable(self, argv, args, after):
        self.need(argv, 1, after, "resource disable RESOURCE_ID...")
        for word in argv:
            self.update_nvset(self.resource(word), "meta_attributes", [("target-role", "Stopped", word)])

    def resource_enable(self, argv, args, after):
        self.need(argv, 1, after, "resource enable RESOURCE_ID...")
        for word in argv:
            element = self.resource(word)
            targets = [element]
            parent = self.parent_of(element)
            if parent.tag in ("clone", "master", "bundle"):
                targets.append(parent)
            if element.tag in ("clone", "master"):
                targets += [child for child in element.children if child.tag in ("primitive", "group")]
            for target in targets:
                self.update_nvset(target, "meta_attributes", [("target-role", "", word)])

    # ------------------------------------------------- cli constraints
    def resource_ban(self, argv, args, after):
        self.need(argv, 2, after, "resource ban RESOURCE_ID NODE [--promoted]")
        self.cli_constraint(argv, args, "ban", "-INFINITY")

    def resource_move_with_constraint(self, argv, args, after):
        self.need(argv, 2, after, "resource move-with-constraint RESOURCE_ID NODE [--promoted]")
        self.cli_constraint(argv, args, "prefer", "INFINITY")

    def resource_move(self, argv, args, after):
        """pcs 0.11's ``resource move``: the constraint it makes is removed again once
        the resource runs on the node, so the configuration keeps nothing of it."""
        self.need(argv, 1, after, "resource move RESOURCE_ID [NODE] [--promoted] [--strict] [--wait]")
        if args.has("-f"):
            self.error(args.flag_words["-f"], "Specified option '-f' is not supported in this command",
                       hint="pcs 0.11's 'resource move' needs a live cluster (it waits for the move, "
                            "then removes its constraint); 'resource move-with-constraint' works on a file")
        if len(argv) > 2:
            self.error(argv[2], "usage: pcs resource move RESOURCE_ID [NODE] [--promoted] [--strict]")
        if len(argv) > 1 and argv[1].text.startswith("lifetime="):
            self.error(argv[1], "Option 'lifetime' has been removed (pcs 0.11)",
                       hint="'resource move-with-constraint RESOURCE NODE lifetime=...' keeps a constraint")
        element = self.resource(argv[0])
        node = self.node(argv[1]).get("uname") if len(argv) > 1 else "the node it moves to"
        if self.warn is not None:
            self.warn(f"'pcs resource move {element.get('id')}' removes its constraint once the resource "
                      f"runs on {node} (pcs 0.11): the configuration keeps nothing of it; "
                      "'resource move-with-constraint' keeps cli-prefer-" + element.get("id"),
                      self.span(argv[0]))

    def cli_constraint(self, argv, args, kind, score):
        if len(argv) > 2 and argv[2].text.startswith("lifetime="):
            self.error(argv[2], "lifetime= makes the constraint expire at a date pcs computes from "
                       "its clock, which a script does not fix",
                       hint="write the expiry yourself: pcs constraint location RESOURCE rule ... "
                            "'#uname' eq NODE and date lt DATE")
        if len(argv) > 2:
            self.error(argv[2], f"unexpected '{argv[2].text}' after the node")
        element = self.resource(argv[0])
        node = self.node(argv[1]).get("uname")
        role = "Promoted" if args.has("--promoted") or args.has("--master") else "Started"
        constraint_id = f"cli-ban-{argv[0].text}-on-{node}" if kind == "ban" else f"cli-prefer-{argv[0].text}"
        constraints = self.section("constraints")
        for existing in list(constraints.children):
            if existing.get("id") == constraint_id:
                constraints.children.remove(existing)
        self.add(constraints, "rsc_location", {"id": constraint_id, "rsc": element.get("id"),
                                               "role": role, "node": node, "score": score},
                 where=argv[0])

    def resource_clear(self, argv, args, after):
        self.need(argv, 1, after, "resource clear RESOURCE_ID [NODE]")
        self.resource(argv[0])
        rsc = argv[0].text
        node = argv[1].text if len(argv) > 1 else None
        constraints = self.section("constraints")
        for existing in list(constraints.children):
            constraint_id = existing.get("id", "")
            if existing.tag != "rsc_location" or existing.get("rsc") != rsc:
                continue
            if constraint_id.startswith(f"cli-ban-{rsc}-on-") or constraint_id == f"cli-prefer-{rsc}":
                if node is None or existing.get("node") == node:
                    constraints.children.remove(existing)

    # ------------------------------------------------------------- bundle
    def resource_bundle(self, argv, args, after):
        if not argv or argv[0].text != "create":
            self.error(argv[0] if argv else after, "this reader knows 'pcs resource bundle create'")
        self.need(argv, 2, argv[0], "resource bundle create BUNDLE_ID container TYPE [OPTIONS] ...")
        id_word = argv[1]
        self.check_new_id(id_word, "bundle id")
        groups = _split_keywords(argv[2:], {"container", "network", "port-map", "storage-map", "meta"})
        if groups[0][2]:
            self.error(groups[0][2][0], "expected 'container', 'network', 'port-map', "
                       "'storage-map' or 'meta'")
        bundle = self.add(self.section("resources"), "bundle", {"id": id_word.text}, where=id_word)
        runtime, network, port_maps, storage_maps, meta = None, None, [], [], []
        for keyword, word, words in groups[1:]:
            if keyword == "container":
                if not words or "=" in words[0].text:
                    self.error(word, "container type must be specified: docker, podman or rkt")
                if words[0].text not in ("docker", "podman", "rkt"):
                    self.error(words[0], f"'{words[0].text}' is not a valid container type value, "
                               "use 'docker', 'podman', 'rkt'")
                runtime = (words[0].text, _pairs(words[1:], self.error, "container option"))
            elif keyword == "network":
                network = _pairs(words, self.error, "network option")
            elif keyword == "port-map":
                port_maps.append(_pairs(words, self.error, "port-map option"))
            elif keyword == "storage-map":
                storage_maps.append(_pairs(words, self.error, "storage-map option"))
            else:
                meta += _pairs(words, self.error, "meta attribute")
        if runtime is None:
            self.error(id_word, "container type must be specified: docker, podman or rkt")
        self.add(bundle, runtime[0], {name: value for name, value, _ in runtime[1]})
        if network is not None or port_maps:
            net = self.add(bundle, "network", {name: value for name, value, _ in network or ()})
            for pairs in port_maps:
                attrib = {name: value for name, value, _ in pairs}
                if "id" not in attrib:
                    suffix = "port-map-" + (attrib.get("port") or attrib.get("range") or "")
                    attrib["id"] = self.subelement_id(bundle, suffix.rstrip("-"))
                self.add(net, "port-mapping", attrib)
        if storage_maps:
            storage = self.add(bundle, "storage")
            for pairs in storage_maps:
                attrib = {name: value for name, value, _ in pairs}
                if "id" not in attrib:
                    attrib["id"] = self.subelement_id(bundle, "storage-map")
                self.add(storage, "storage-mapping", attrib)
        if meta:
            self.nvset(bundle, "meta_attributes", meta, sort=True)
        if args.has("--disabled"):
            self.update_nvset(bundle, "meta_attributes", [("target-role", "Stopped", id_word)])

    # -------------------------------------------------------- constraints
    def constraint_command(self, argv, args, head):
        table = {"location": self.location, "colocation": self.colocation, "order": self.order,
                 "ticket": self.ticket, "rule": self.constraint_rule}
        handler = self.subcommand(argv, head, table, "constraint")
        handler(argv[1:], args, argv[0])

    def constraint_resource(self, word: Word, library_message: bool = False) -> tuple[str, str]:
        """(attribute, value) naming a constraint's resource: rsc or rsc-pattern.
        pcs 0.11 takes no tag in a constraint; its ticket and set commands word it otherwise."""
        kind, _, value = word.text.partition("%")
        if kind == "regexp" and value:
            return "rsc-pattern", value
        name = value if kind == "resource" and value else word.text
        if library_message and self.by_id(name) is None:
            self.error(word, f"'{name}' is not a bundle/clone/group/resource")
        self.resource(_word_with(word, name))
        return "rsc", name

    def location(self, argv, args, after):
        if argv[:1] and argv[0].text == "add":
            return self.location_add(argv[1:], argv[0], args)
        self.need(argv, 3, after, "constraint location RESOURCE prefers|avoids NODE[=SCORE]... | "
                  "constraint location RESOURCE rule [OPTIONS] EXPRESSION")
        attribute, rsc = self.constraint_resource(argv[0])
        verb = argv[1].text
        if verb in ("prefers", "avoids"):
            for word in argv[2:]:
                node, has_score, score = word.text.partition("=")
                score = score if has_score else "INFINITY"
                if verb == "avoids":
                    score = score[1:] if score.startswith("-") else "-" + score
                # pcs replaces a resource's preference for the same node
                constraints = self.section("constraints")
                for existing in list(constraints.children):
                    if existing.tag == "rsc_location" and existing.get(attribute) == rsc and \
                            existing.get("node") == node and not existing.get("id", "").startswith("cli-"):
                        constraints.children.remove(existing)
                constraint_id = self.unique_id(sanitize_id(f"location-{rsc}-{node}-{score}"))
                self.add(self.section("constraints"), "rsc_location",
                         {"id": constraint_id, attribute: rsc, "node": node, "score": score}, where=word)
        elif verb == "rule":
            self.location_rule(argv[2:], attribute, rsc, argv[1])
        else:
            self.error(argv[1], f"expected 'prefers', 'avoids' or 'rule' after the resource, "
                       f"found '{verb}'")

    def location_add(self, argv, after, args):
        """``constraint location add ID RESOURCE NODE SCORE [resource-discovery=...]``;
        pcs writes any other option (``role=``...) as it is when forced."""
        self.need(argv, 4, after, "constraint location add ID RESOURCE NODE SCORE [OPTIONS]")
        attribute, rsc = self.constraint_resource(argv[1])
        # pcs replaces a location of the same id, or of the same resource and node
        constraints = self.section("constraints")
        for existing in list(constraints.children):
            if existing.tag == "rsc_location" and (
                    existing.get("id") == argv[0].text
                    or (existing.get("node") == argv[2].text and existing.get(attribute) == rsc)):
                constraints.children.remove(existing)
        self.check_new_id(argv[0], "constraint id")
        attrib = {"id": argv[0].text, attribute: rsc, "node": argv[2].text, "score": _score(argv[3].text)}
        for name, value, word in _pairs(argv[4:], self.error):
            if name != "resource-discovery" and not args.has("--force"):
                self.error(word, f"bad option '{name}', use --force to override")
            attrib[name] = value
        self.add(self.section("constraints"), "rsc_location", attrib, where=argv[0])

    def location_rule(self, words, attribute, rsc, rule_word):
        options, expression = self.rule_options(words, rule_word, ("constraint-id", "resource-discovery"))
        constraint_id = options.get("constraint-id") or self.unique_id(sanitize_id(f"location-{rsc}"))
        attrib = {"id": constraint_id, attribute: rsc}
        if "resource-discovery" in options:
            attrib["resource-discovery"] = options["resource-discovery"]
        constraint = self.add(self.section("constraints"), "rsc_location", attrib, where=rule_word)
        self.rule_into(constraint, self.rule_attributes(options, constraint_id), expression)

    def rule_options(self, words, rule_word, extra=()):
        """pcs's rule_utils.parse_argv: the leading NAME=VALUE options, then the expression."""
        names = ("id", "role", "score", "score-attribute", *extra)
        options, index = {}, 0
        while index < len(words) and "=" in words[index].text and \
                words[index].text.split("=", 1)[0] in names:
            name, _, value = words[index].text.partition("=")
            options[name] = value
            index += 1
        if not words[index:]:
            self.error(words[-1] if words else rule_word, "no rule expression was specified")
        if options.get("score") and options.get("score-attribute"):
            self.error(words[0], "can not specify both score and score-attribute")
        return options, words[index:]

    def rule_attributes(self, options, constraint_id) -> dict:
        rule_attrib = {"id": options.get("id") or self.unique_id(f"{constraint_id}-rule")}
        if options.get("role"):
            rule_attrib["role"] = ROLES.get(options["role"].lower(), options["role"])
        if options.get("score-attribute"):
            rule_attrib["score-attribute"] = options["score-attribute"]
        else:
            rule_attrib["score"] = options.get("score") or "INFINITY"
        return rule_attrib

    def constraint_rule(self, argv, args, after):
        """``constraint rule add CONSTRAINT_ID [OPTIONS] EXPRESSION`` (one more rule on a
        location; pcs drops the constraint's node and score) and ``constraint rule remove RULE_ID``."""
        if not argv or argv[0].text not in ("add", "remove"):
            self.error(argv[0] if argv else after, "expected 'add' or 'remove' after 'constraint rule'")
        self.need(argv, 2, argv[0], "constraint rule add CONSTRAINT_ID [id=ID] [role=ROLE] "
                  "[score=SCORE|score-attribute=ATTR] EXPRESSION | constraint rule remove RULE_ID")
        constraints = self.section("constraints")
        if argv[0].text == "remove":
            for constraint in list(constraints.children):
                rules = [child for child in constraint.children if child.tag == "rule"]
                for rule in rules:
                    if rule.get("id") == argv[1].text:
                        constraint.children.remove(rule)
                        if len(rules) == 1:
                            constraints.children.remove(constraint)
                        return
            self.error(argv[1], f"Unable to find rule with id: {argv[1].text}")
        constraint = next((c for c in constraints.children
                           if c.tag == "rsc_location" and c.get("id") == argv[1].text), None)
        if constraint is None:
            self.error(argv[1], f"Unable to find constraint: {argv[1].text}")
        options, expression = self.rule_options(argv[2:], argv[1])
        self.rule_into(constraint, self.rule_attributes(options, argv[1].text), expression)
        for name in ("score", "node"):
            constraint.attrib.pop(name, None)

    def rule_into(self, parent: Element, rule_attrib: dict, words: list[Word]) -> Element:
        """pcs's legacy rule syntax (cib/pcs_rules.py), built with pcs's ids."""
        try:
            tree = parse_rule(words, retext=_word_with)
        except RuleSyntaxError as error:
            self.error(error.origin, "'" + " ".join(word.text for word in words)
                       + f"' is not a valid rule expression: {error.message}")
        attrib = {"id": rule_attrib["id"]}
        if tree.kind in BOOLEANS:
            attrib["boolean-op"] = tree.kind
        attrib.update((k, v) for k, v in rule_attrib.items() if k != "id")
        rule = self.add(parent, "rule", attrib, where=words[0])
        self.rule_items(rule, tree)
        return rule

    def rule_items(self, rule: Element, tree):
        """pcs's CibBuilder: an and/or of the other kind becomes a nested rule (score 0)."""
        if tree.kind in BOOLEANS:
            for child in tree.children:
                if child.kind in BOOLEANS and child.kind != tree.kind:
                    nested = self.add(rule, "rule", {"id": self.subelement_id(rule, "rule"),
                                                     "boolean-op": child.kind, "score": "0"},
                                      where=child.origin)
                    self.rule_items(nested, child)
                else:
                    self.rule_items(rule, child)
            return
        expr_id = self.subelement_id(rule, "expr")
        if is_date_comparison(tree):
            attrib = {"id": expr_id, "operation": tree.kind}
            if tree.kind == "lt":
                attrib["end"] = tree.children[1].text
            else:
                attrib["start"] = tree.children[1].text
            if tree.kind == "in_range" and tree.children[2].kind == "literal":
                attrib["end"] = tree.children[2].text
            date = self.add(rule, "date_expression", attrib, where=tree.origin)
            if tree.kind == "in_range" and tree.children[2].kind == "duration":
                self.add(date, "duration", {"id": self.subelement_id(date, "duration"),
                                            **dict(tree.children[2].parts)}, where=tree.origin)
            return
        if tree.kind == "date-spec":
            date = self.add(rule, "date_expression", {"id": expr_id, "operation": "date_spec"},
                            where=tree.origin)
            self.add(date, "date_spec", {"id": self.subelement_id(date, "datespec"), **dict(tree.parts)},
                     where=tree.origin)
            return
        attrib = {"id": expr_id, "operation": tree.kind, "attribute": tree.children[0].text}
        if tree.kind not in PREFIXES:
            value = tree.children[1]
            if value.kind in TYPES:
                attrib["type"], value = value.kind, value.children[0]
            attrib["value"] = value.text
        self.add(rule, "expression", attrib, where=tree.origin)

    def refuse_duplicate(self, args, word: Word, tag: str, same: dict):
        if args.has("--force"):
            return
        for existing in self.section("constraints").children:
            if existing.tag == tag and all(existing.get(k) == v for k, v in same.items()):
                self.error(word, "duplicate constraint already exists, use --force to override",
                           hint=f"the existing one is '{existing.get('id')}'")

    def role_word(self, word: Word) -> str | None:
        return ROLES.get(word.text.lower())

    def colocation(self, argv, args, after):
        if argv[:1] and argv[0].text == "set":
            return self.set_constraint(argv, "rsc_colocation", "colocation", after)
        if not argv or argv[0].text != "add":
            self.error(argv[0] if argv else after, "expected 'add' or 'set' after 'colocation'")
        words = argv[1:]
        role1 = role2 = None
        if len(words) > 2 and words[2].text == "with" and self.role_word(words[0]):
            role1, words = self.role_word(words[0]), words[1:]
        if len(words) < 3 or words[1].text != "with":
            self.error(words[0] if words else argv[0], "usage: pcs constraint colocation add "
                       "[ROLE] SOURCE with [ROLE] TARGET [SCORE] [OPTIONS]")
        source, rest = words[0], words[2:]
        if len(rest) > 1 and self.role_word(rest[0]) and not _is_score_or_option(rest[1].text):
            role2, rest = self.role_word(rest[0]), rest[1:]
        target, rest = rest[0], rest[1:]
        score = "INFINITY"
        if rest and "=" not in rest[0].text:
            score, rest = _score(rest[0].text), rest[1:]
        options = [(n, v) for n, v, _ in _pairs(rest, self.error)]
        for word in (source, target):
            self.constraint_resource(word)
        if role1 and not role2:
            role2 = "Started"
        if role2 and not role1:
            role1 = "Started"
        constraint_id = dict(options).get("id") or self.unique_id(
            f"colocation-{source.text}-{target.text}-{score}")
        attrib = {"rsc": source.text, "with-rsc": target.text, "score": score}
        if role1:
            attrib["rsc-role"], attrib["with-rsc-role"] = role1, role2
        for name, value in options:
            if name == "score":
                attrib["score"] = value
            elif name != "id":
                attrib[name] = value
        attrib["id"] = constraint_id
        self.refuse_duplicate(args, source, "rsc_colocation", {"rsc": source.text, "with-rsc": target.text})
        self.add(self.section("constraints"), "rsc_colocation", attrib, where=source)

    def order(self, argv, args, after):
        if argv[:1] and argv[0].text == "set":
            return self.set_constraint(argv, "rsc_order", "order", after)
        words = argv[1:] if argv[:1] and argv[0].text == "add" else argv
        action1 = action2 = "start"
        if words and words[0].text in ACTIONS:
            action1, words = words[0].text, words[1:]
        if len(words) < 3 or words[1].text != "then":
            self.error(words[0] if words else after, "usage: pcs constraint order [ACTION] "
                       "RESOURCE then [ACTION] RESOURCE [OPTIONS]")
        first, rest = words[0], words[2:]
        if rest and rest[0].text in ACTIONS and len(rest) > 1:
            action2, rest = rest[0].text, rest[1:]
        then, rest = rest[0], rest[1:]
        options = [(n, v, w) for n, v, w in _pairs(rest, self.error)]
        for word in (first, then):
            self.constraint_resource(word)
        attrib = {"first": first.text, "then": then.text}
        kind = None
        for name, value, word in options:
            if name == "kind":
                kind = ORDER_KINDS.get(value.lower())
                if kind is None:
                    self.error(word, f"invalid kind value '{value}', allowed values are: "
                               "Mandatory, Optional, Serialize")
                attrib["kind"] = kind
        attrib["first-action"], attrib["then-action"] = action1, action2
        for name, value, word in options:
            if name == "symmetrical":
                attrib["symmetrical"] = value.lower()
            elif name not in ("kind", "id"):
                attrib[name] = value
        custom = next((value for name, value, _ in options if name == "id"), None)
        attrib["id"] = custom or self.unique_id(f"order-{first.text}-{then.text}-{kind or 'mandatory'}")
        self.refuse_duplicate(args, first, "rsc_order", {"first": first.text, "then": then.text,
                                                         "first-action": action1, "then-action": action2})
        self.add(self.section("constraints"), "rsc_order", attrib, where=first)

    def ticket(self, argv, args, after):
        if argv[:1] and argv[0].text == "set":
            return self.set_constraint(argv, "rsc_ticket", "ticket", after)
        if not argv or argv[0].text != "add":
            self.error(argv[0] if argv else after, "expected 'add' or 'set' after 'ticket'")
        self.need(argv, 3, argv[0], "constraint ticket add TICKET [ROLE] RESOURCE [OPTIONS]")
        ticket, words = argv[1], argv[2:]
        role = None
        if len(words) > 1 and self.role_word(words[0]) and "=" not in words[1].text:
            role, words = self.role_word(words[0]), words[1:]
        rsc, options = words[0], _pairs(words[1:], self.error)
        self.constraint_resource(rsc, library_message=True)
        attrib = {}
        for name, value, _ in options:
            if name == "rsc-role":
                role = ROLES.get(value.lower(), value)
            elif name != "id":
                attrib[name] = value
        attrib.update({"ticket": ticket.text, "rsc": rsc.text})
        if role:
            attrib["rsc-role"] = role
        custom = next((value for name, value, _ in options if name == "id"), None)
        attrib["id"] = custom or self.unique_id(sanitize_id(
            f"ticket-{ticket.text}-{rsc.text}" + (f"-{role}" if role else "")))
        self.add(self.section("constraints"), "rsc_ticket", attrib, where=rsc)

    def set_constraint(self, argv, tag, prefix, after):
        groups = _split_keywords(argv[1:], {"set", "setoptions"})
        sets, options = [], []
        first_words = groups[0][2]
        set_groups = [("set", argv[0], first_words)] + [g for g in groups[1:] if g[0] == "set"]
        for keyword, word, words in groups[1:]:
            if keyword == "setoptions":
                options += _pairs(words, self.error, "constraint option")
        for _, word, words in set_groups:
            ids = [w for w in words if "=" not in w.text]
            set_options = _pairs([w for w in words if "=" in w.text], self.error, "set option")
            if not ids:
                self.error(word, "Resource set must contain at least one resource")
            for rsc in ids:
                self.constraint_resource(rsc, library_message=True)
            set_attrib = {}
            for name, value, _ in set_options:
                set_attrib[name] = ROLES.get(value.lower(), value) if name == "role" else value
            sets.append(([w.text for w in ids], set_attrib))
        attrib = {}
        for name, value, word in options:
            if name == "kind":
                value = ORDER_KINDS.get(value.lower(), value)
            attrib[name] = value
        if tag == "rsc_ticket" and "ticket" not in attrib:
            self.error(after, "required option 'ticket' is missing")
        if tag == "rsc_colocation" and "score" not in attrib:
            attrib["score"] = "INFINITY"
        if "id" not in attrib:
            id_part = "".join([rsc_id[0] + rsc_id[-1] for ids, _ in sets for rsc_id in ids][:3])
            attrib["id"] = self.unique_id(f"{prefix}_set_{id_part}")
        constraint = self.add(self.section("constraints"), tag, attrib, where=argv[0])
        for ids, set_attrib in sets:
            resource_set = self.add(constraint, "resource_set", dict(set_attrib))
            resource_set.attrib["id"] = self.unique_id(f"{attrib['id']}_set")
            for rsc_id in ids:
                self.add(resource_set, "resource_ref", {"id": rsc_id})

    # ------------------------------------------------------------- finish
    def finish(self) -> Element:
        return self.configuration


def _is_score_or_option(text: str) -> bool:
    return "=" in text or bool(re.fullmatch(r"[+-]?(\d+|INFINITY|inf(inity)?)", text, re.I))


def _score(text: str) -> str:
    if re.fullmatch(r"[+-]?inf(inity)?", text, re.I):
        return ("-" if text.startswith("-") else "") + "INFINITY"
    return text
