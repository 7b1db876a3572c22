"""A hardened XML reader that keeps positions.

CIB files come from people and from other machines.  This reader refuses
what a CIB never needs and an attacker likes: document type declarations,
entity declarations (billion laughs), external entities, and inputs far
larger than any real CIB.  It records each element's line and column so that
diagnostics can point at the element.
"""

from __future__ import annotations

import re
import xml.parsers.expat

from pengine.cib.errors import XmlInputError
from pengine.cib.span import Span

MAX_XML_BYTES = 64 * 1024 * 1024  # real CIBs are a few MiB at most
MAX_DEPTH = 64
MAX_TEXT_CHARS = 1024 * 1024  # a CIB element holds attributes and children, hardly any text
# the characters XML 1.0 cannot hold, even as character references
NOT_XML_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# The encodings expat reads itself; any other declared one is refused with a
# position rather than handed to Python's codec machinery (LookupError, or
# multi-byte codecs expat cannot use).
_EXPAT_ENCODINGS = {"utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin1", "latin-1",
                    "iso8859-1"}
_DECLARATION = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<\?xml\b[^>]*?\bencoding\s*=\s*(['\"])(.*?)\1",
                          re.DOTALL)


class Element:
    """A parsed element: mutable only while the reader builds it."""

    __slots__ = ("tag", "attrib", "children", "line", "column", "_text", "_text_size")

    def __init__(self, tag: str, attrib: dict, line: int, column: int):
        self.tag = tag
        self.attrib = attrib
        self.children: list[Element] = []
        self.line = line
        self.column = column
        self._text: list[str] = []   # joined on demand: += on a str is quadratic
        self._text_size = 0

    @property
    def text(self) -> str:
        return "".join(self._text)

    def get(self, name: str, default=None):
        return self.attrib.get(name, default)

    def find(self, tag: str):
        for child in self.children:
            if child.tag == tag:
                return child
        return None

    def findall(self, tag: str):
        return [child for child in self.children if child.tag == tag]

    def span(self, filename: str) -> Span:
        return Span(filename, self.line, self.column + 1, element=self.tag,
                    element_id=self.attrib.get("id"))


class _Refused(Exception):
    def __init__(self, message: str, hint: str = "remove it: a CIB is plain XML"):
        super().__init__(message)
        self.message = message
        self.hint = hint


def parse_xml(data: str | bytes, filename: str = "<input>") -> Element:
    """Parse ``data`` into an :class:`Element` tree, or raise XmlInputError."""
    size = len(data)
    if size > MAX_XML_BYTES:
        raise XmlInputError(
            f"file is {size} bytes, larger than any CIB ({MAX_XML_BYTES} bytes allowed)",
            Span(filename), hint="is this really a CIB?")
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not data.strip():
        raise XmlInputError("file is empty", Span(filename, 1, 1),
                            hint="a CIB starts with <cib>")
    _check_declared_encoding(data, filename)
    parser = xml.parsers.expat.ParserCreate()
    stack: list[Element] = []
    root: list[Element] = []

    def refuse(what: str):
        def handler(*_args):
            raise _Refused(what)
        return handler

    def start(tag, attrib):
        if len(stack) >= MAX_DEPTH:
            raise _Refused(f"elements nested deeper than {MAX_DEPTH} levels")
        element = Element(tag, attrib, parser.CurrentLineNumber, parser.CurrentColumnNumber)
        if stack:
            stack[-1].children.append(element)
        else:
            root.append(element)
        stack.append(element)

    def end(_tag):
        stack.pop()

    def text(data):
        if stack:
            element = stack[-1]
            element._text_size += len(data)
            if element._text_size > MAX_TEXT_CHARS:
                raise _Refused(f"text inside <{element.tag}> is longer than {MAX_TEXT_CHARS} "
                               "characters", hint="CIB elements hold attributes and elements, "
                                                  "not text: is this really a CIB?")
            element._text.append(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = refuse("document type declarations (DOCTYPE) are not allowed in a CIB")
    parser.EntityDeclHandler = refuse("entity declarations are not allowed in a CIB")
    parser.ExternalEntityRefHandler = refuse("external entities are not allowed in a CIB")
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(data, True)
    except _Refused as refused:
        raise XmlInputError(refused.message,
                            Span(filename, parser.CurrentLineNumber, parser.CurrentColumnNumber + 1),
                            hint=refused.hint) from None
    except xml.parsers.expat.ExpatError as error:
        message = xml.parsers.expat.ErrorString(error.code)
        hint = ""
        if error.code == xml.parsers.expat.errors.codes[xml.parsers.expat.errors.XML_ERROR_NO_ELEMENTS]:
            hint = "the file ends before its root element is closed: is it truncated?"
        elif error.code == xml.parsers.expat.errors.codes[xml.parsers.expat.errors.XML_ERROR_UNCLOSED_TOKEN]:
            hint = "the file ends inside a tag: is it truncated?"
        elif error.code == xml.parsers.expat.errors.codes[xml.parsers.expat.errors.XML_ERROR_INVALID_TOKEN]:
            hint = "this is not well-formed XML (binary data or a stray character?)"
        raise XmlInputError(f"malformed XML: {message}",
                            Span(filename, error.lineno, error.offset + 1), hint=hint) from None
    except (LookupError, UnicodeError, ValueError) as error:  # an encoding expat cannot use
        raise XmlInputError(f"cannot decode the XML: {error}",
                            Span(filename, parser.CurrentLineNumber,
                                 parser.CurrentColumnNumber + 1),
                            hint="a CIB is UTF-8") from None
    except RecursionError:  # pragma: no cover - depth is bounded above
        raise XmlInputError("XML nested too deeply", Span(filename)) from None
    if not root:
        raise XmlInputError("no XML element found", Span(filename, 1, 1))
    return root[0]


def _check_declared_encoding(data: bytes, filename: str) -> None:
    """Refuse, with its position, an ``<?xml ... encoding="..."?>`` that is
    not UTF-8, ASCII or Latin-1: Pacemaker writes and reads UTF-8."""
    match = _DECLARATION.match(data[:4096])
    if match is None:
        return
    declared = match.group(2).decode("ascii", "replace")
    if declared.strip().lower() in _EXPAT_ENCODINGS:
        return
    start = match.start(2)
    line = data[:start].count(b"\n") + 1
    column = start - (data.rfind(b"\n", 0, start) + 1) + 1
    shown = "".join(ch if ch.isprintable() else "\ufffd" for ch in declared)
    raise XmlInputError(f"unsupported encoding '{shown}' declared",
                        Span(filename, line, column),
                        hint="a CIB is UTF-8: convert the file (iconv) and declare "
                             "encoding=\"UTF-8\"")
