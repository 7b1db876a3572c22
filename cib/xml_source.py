"""A hardened XML reader that keeps positions.

CIB files come from people and from other machines.  This reader refuses
what a CIB never needs and an attacker likes: document type declarations,
entity declarations (billion laughs), external entities, and inputs far
larger than any real CIB.  It records each element's line and column so that
diagnostics can point at the element.
"""

from __future__ import annotations

import xml.parsers.expat

from pengine.cib.errors import XmlInputError
from pengine.cib.span import Span

MAX_XML_BYTES = 64 * 1024 * 1024  # real CIBs are a few MiB at most
MAX_DEPTH = 64


class Element:
    """A parsed element: mutable only while the reader builds it."""

    __slots__ = ("tag", "attrib", "children", "line", "column", "text")

    def __init__(self, tag: str, attrib: dict, line: int, column: int):
        self.tag = tag
        self.attrib = attrib
        self.children: list[Element] = []
        self.line = line
        self.column = column
        self.text = ""

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
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


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
            stack[-1].text += data

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
                            hint="remove it: a CIB is plain XML") from None
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
    except RecursionError:  # pragma: no cover - depth is bounded above
        raise XmlInputError("XML nested too deeply", Span(filename)) from None
    if not root:
        raise XmlInputError("no XML element found", Span(filename, 1, 1))
    return root[0]
