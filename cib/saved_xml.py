"""The CIB as crm_simulate saves it (``-O``, ``-I``): the input's own XML
where the run did not change it.

crm_simulate edits the document it read and writes it back with libxml2,
so the configuration keeps its element and attribute order, and each
``node_state`` keeps the order of its children and the id of its
``lrm_resources``.  pengine schedules from the model; this module keeps the
layout of the input beside it (:class:`SavedLayout`, taken when the XML is
read) and writes a model back in that layout: the configuration verbatim
while the model's configuration is the one read, the status from the model
in the input's order.  Comments are not kept (the reader drops them).
"""

from __future__ import annotations

from attrs import field, frozen

from pengine.cib import model as m
from pengine.cib.xml_source import Element


@frozen
class SavedLayout:
    """What the model does not hold of the input's layout."""

    configuration: Element
    configuration_model: m.Configuration = field(eq=False)
    # status children in input order: ("node_state", id) or ("tickets", None)
    status_order: tuple = ()
    # node_state id -> the tags of its children in input order
    node_children: dict = field(factory=dict, eq=False)
    # node_state id -> the id of its <lrm_resources>
    lrm_resources_ids: dict = field(factory=dict, eq=False)
    # node_state id -> the attributes of its <lrm> (the model keeps its id only)
    lrm_attrs: dict = field(factory=dict, eq=False)


def layout_of(root: Element, configuration: m.Configuration) -> SavedLayout | None:
    config_el = root.find("configuration")
    if config_el is None:
        return None
    status_el = root.find("status")
    order, children, lrm_ids, lrm_attrs = [], {}, {}, {}
    for child in status_el.children if status_el is not None else ():
        if child.tag == "node_state":
            node_id = child.get("id", "")
            order.append(("node_state", node_id))
            children[node_id] = tuple(grand.tag for grand in child.children)
            lrm = child.find("lrm")
            if lrm is not None and len(lrm.attrib) > 1:
                lrm_attrs[node_id] = tuple(lrm.attrib.items())
            holder = lrm.find("lrm_resources") if lrm is not None else None
            if holder is not None and holder.get("id") is not None:
                lrm_ids[node_id] = holder.get("id")
        elif child.tag == "tickets":
            order.append(("tickets", None))
    return SavedLayout(config_el, configuration, tuple(order), children, lrm_ids, lrm_attrs)


# ----------------------------------------------------------------- writer --

def _escape_attr(value: str) -> str:
    # as libxml2 writes an attribute value
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("\r", "&#13;").replace("\n", "&#10;")
            .replace("\t", "&#9;"))


def _escape_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _Node:
    """A plain element tree to write: tag, ordered attributes, children, text."""

    __slots__ = ("tag", "attrs", "children", "text")

    def __init__(self, tag, attrs, children=None, text=""):
        self.tag, self.attrs, self.children, self.text = tag, attrs, children or [], text


def _from_element(el) -> _Node:
    """From the reader's Element or an ElementTree element."""
    if isinstance(el, Element):
        return _Node(el.tag, list(el.attrib.items()), [_from_element(c) for c in el.children],
                     el.text.strip())
    return _Node(el.tag, list(el.attrib.items()), [_from_element(c) for c in el],
                 (el.text or "").strip())


def _write(node: _Node, depth: int, out: list[str]) -> None:
    pad = "  " * depth
    attrs = "".join(f' {name}="{_escape_attr(value)}"' for name, value in node.attrs)
    if not node.children and not node.text:
        out.append(f"{pad}<{node.tag}{attrs}/>")
    elif not node.children:
        out.append(f"{pad}<{node.tag}{attrs}>{_escape_text(node.text)}</{node.tag}>")
    else:
        out.append(f"{pad}<{node.tag}{attrs}>")
        for child in node.children:
            _write(child, depth + 1, out)
        out.append(f"{pad}</{node.tag}>")


def write_saved_cib(cib: m.Cib) -> str:
    """``cib`` as XML in the layout of the input it was read from (if any)."""
    import xml.etree.ElementTree as ET
    from pengine.cib.cib_xml import write_cib
    tree = _from_element(ET.fromstring(write_cib(cib)))
    layout = getattr(cib, "layout", None)
    if layout is not None:
        _apply_layout(tree, cib, layout)
    out: list[str] = []
    _write(tree, 0, out)
    return "\n".join(out) + "\n"


def _apply_layout(tree: _Node, cib: m.Cib, layout: SavedLayout) -> None:
    for k, child in enumerate(tree.children):
        if child.tag == "configuration":
            if cib.configuration is layout.configuration_model \
                    or cib.configuration == layout.configuration_model:
                tree.children[k] = _from_element(layout.configuration)
            else:   # changed (a watchdog, a node): the model's, in the input's order
                _follow(child, _from_element(layout.configuration))
        elif child.tag == "status":
            _order_status(child, layout)


def _child_keys(children: list[_Node]) -> list[tuple]:
    """(tag, id), or (tag, n) for the n-th child of that tag without an id."""
    keys, seen = [], {}
    for child in children:
        node_id = dict(child.attrs).get("id")
        if node_id is None:
            seen[child.tag] = seen.get(child.tag, -1) + 1
            keys.append((child.tag, seen[child.tag]))
        else:
            keys.append((child.tag, node_id))
    return keys


def _follow(new: _Node, old: _Node) -> None:
    """Put ``new``'s attributes and children in ``old``'s order, recursively:
    what ``old`` lacks stays after the sibling it follows in ``new``.
    Children the model does not write (empty sections) are taken from ``old``."""
    names = [name for name, _ in old.attrs]
    values = dict(new.attrs)
    new.attrs = [(name, values[name]) for name in names if name in values] + \
        [(name, value) for name, value in new.attrs if name not in names]
    old_rank = {key: k for k, key in enumerate(_child_keys(old.children))}
    old_by_key = dict(zip(_child_keys(old.children), old.children))
    ranked, last = [], -1.0
    for k, (key, child) in enumerate(zip(_child_keys(new.children), new.children)):
        rank = old_rank.get(key)
        if rank is None:
            rank = last + 0.001 * (k + 1) / (len(new.children) + 1)
        else:
            _follow(child, old_by_key[key])
        last = rank
        ranked.append((rank, k, child))
    present = {key for key in _child_keys(new.children)}
    for key, child in old_by_key.items():
        if key not in present and not child.children and not child.attrs:
            ranked.append((old_rank[key], -1, child))      # <rsc_defaults/> and such
    new.children = [child for _, _, child in sorted(ranked, key=lambda item: item[:2])]


def _order_status(status: _Node, layout: SavedLayout) -> None:
    rank = {key: k for k, key in enumerate(layout.status_order)}

    def key_of(child: _Node):
        return (child.tag, dict(child.attrs).get("id") if child.tag == "node_state" else None)
    # the input's children first in its order, new ones after in the model's
    ranked = sorted(enumerate(status.children),
                    key=lambda item: (rank.get(key_of(item[1]), len(rank)), item[0]))
    status.children = [child for _, child in ranked]
    for child in status.children:
        if child.tag != "node_state":
            continue
        node_id = dict(child.attrs).get("id")
        tags = layout.node_children.get(node_id)
        if tags:
            order = {tag: k for k, tag in enumerate(tags)}
            child.children = [c for _, c in sorted(
                enumerate(child.children), key=lambda item: (order.get(item[1].tag, len(order)),
                                                             item[0]))]
        kept = layout.lrm_attrs.get(node_id)
        if kept:
            for lrm in child.children:
                if lrm.tag == "lrm" and dict(lrm.attrs).get("id") == dict(kept).get("id"):
                    lrm.attrs = list(kept)
        lrm_resources_id = layout.lrm_resources_ids.get(node_id)
        if lrm_resources_id is not None:
            for lrm in child.children:
                for holder in lrm.children if lrm.tag == "lrm" else ():
                    if holder.tag == "lrm_resources" and "id" not in dict(holder.attrs):
                        holder.attrs.insert(0, ("id", lrm_resources_id))
