"""Read a published XForm into what a submission is checked against.

The spec comes from the XForm XML itself (not from today's definitions), so a
submission made with an older, still accepted version is checked against the
version it was filled in with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET

XF = "{http://www.w3.org/2002/xforms}"
H = "{http://www.w3.org/1999/xhtml}"
ITEMSET_INSTANCE = re.compile(r"instance\('([^']+)'\)")


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


@dataclass
class Node:
    path: str
    name: str
    kind: str  # "field", "group" or "repeat"
    type: str = "string"
    required: bool = False
    # True when the node or one of its ancestors has a `relevant` condition:
    # whether it must be filled then depends on other answers.
    conditional: bool = False
    choices: frozenset[str] | None = None
    multi: bool = False
    children: list[Node] = field(default_factory=list)

    @property
    def is_binary(self) -> bool:
        return self.type == "binary"


@dataclass
class FormSpec:
    form_id: str
    version: str
    root: str
    title: str
    nodes: dict[str, Node]
    top: Node
    media: list[str] = field(default_factory=list)

    def node(self, path: str) -> Node | None:
        return self.nodes.get(path)


def parse_xform(xml: str) -> FormSpec:
    doc = SafeET.fromstring(xml.encode("utf-8"), forbid_dtd=True)
    head = doc.find(f"{H}head")
    model = head.find(f"{XF}model") if head is not None else None
    if head is None or model is None:
        raise ValueError("not an XForm: no h:head/model")
    title_el = head.find(f"{H}title")
    instances = model.findall(f"{XF}instance")
    primary = next(i for i in instances if "id" not in i.attrib)
    root_el = next(iter(primary))
    secondary: dict[str, frozenset[str] | None] = {}
    media: list[str] = []
    for inst in instances:
        iid = inst.get("id")
        if not iid:
            continue
        if inst.get("src"):
            secondary[iid] = None  # external CSV: checked on acceptance
            media.append(inst.get("src", "").rsplit("/", 1)[-1])
            continue
        secondary[iid] = frozenset(
            (item.findtext(f"{XF}name") or "").strip()
            for item in inst.iter(f"{XF}item")
        )
    binds = {b.get("nodeset", ""): b for b in model.findall(f"{XF}bind")}
    body = doc.find(f"{H}body")
    selects: dict[str, tuple[frozenset[str] | None, bool]] = {}
    repeats: set[str] = set()
    if body is not None:
        for el in body.iter():
            tag = local(el.tag)
            if tag == "repeat":
                repeats.add(el.get("nodeset", ""))
            if tag not in ("select1", "select"):
                continue
            ref = el.get("ref", "")
            itemset = el.find(f"{XF}itemset")
            if itemset is not None:
                m = ITEMSET_INSTANCE.search(itemset.get("nodeset", ""))
                values = secondary.get(m.group(1)) if m else None
            else:
                values = frozenset(
                    (item.findtext(f"{XF}value") or "").strip()
                    for item in el.findall(f"{XF}item")
                )
            selects[ref] = (values, tag == "select")
    nodes: dict[str, Node] = {}

    def walk(el: Element, path: str, conditional: bool) -> Node:
        bind = binds.get(path)
        is_conditional = conditional or bool(bind is not None and bind.get("relevant"))
        children = [c for c in el if local(c.tag) != "meta" or path != f"/{root}"]
        kind = "repeat" if path in repeats else "group" if len(el) else "field"
        node = Node(
            path=path,
            name=local(el.tag),
            kind=kind,
            conditional=is_conditional,
            type=(bind.get("type", "string") if bind is not None else "string"),
            required=bool(bind is not None and bind.get("required") == "true()"),
        )
        if path in selects:
            node.choices, node.multi = selects[path]
        nodes[path] = node
        seen: set[str] = set()
        for child in children:
            name = local(child.tag)
            if name in seen:  # pyxform writes a repeat twice (template + first)
                continue
            seen.add(name)
            node.children.append(walk(child, f"{path}/{name}", is_conditional))
        return node

    root = local(root_el.tag)
    top = walk(root_el, f"/{root}", False)
    return FormSpec(
        form_id=root_el.get("id", ""),
        version=root_el.get("version", ""),
        root=root,
        title=(title_el.text or "") if title_el is not None else "",
        nodes=nodes,
        top=top,
        media=media,
    )
