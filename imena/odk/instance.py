"""Parse a submitted instance safely and check it against its form's spec."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from django.utils.translation import gettext as _

from imena.odk.xformspec import FormSpec, Node, local


class SubmissionError(Exception):
    """A refused submission: an HTTP status, a message for Collect, a reason code."""

    def __init__(self, status: int, message: str, reason: str, *, keep: bool = False):
        super().__init__(message)
        self.status = status
        self.message = message
        self.reason = reason
        # Keep the raw body in quarantine (when it is safe and useful to inspect).
        self.keep = keep


def parse_xml(body: bytes) -> Element:
    """Parse with defusedxml: no DTD, no entities, no external references."""
    try:
        return SafeET.fromstring(
            body, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException:
        raise SubmissionError(
            400,
            _("The submission XML declares a DTD or entities; it was refused unread."),
            "hostile_xml",
            keep=True,
        ) from None
    except (ParseError, ValueError) as e:
        raise SubmissionError(
            400,
            _("The submission XML cannot be read: %(error)s") % {"error": e},
            "malformed_xml",
            keep=True,
        ) from None


def header_of(root: Element) -> tuple[str, str, str]:
    """(root element name, form id, version) of an instance."""
    return local(root.tag), root.get("id", "").strip(), root.get("version", "").strip()


def meta_value(root: Element, name: str) -> str:
    for child in root:
        if local(child.tag) == "meta":
            for item in child:
                if local(item.tag) == name:
                    return (item.text or "").strip()
    return ""


@dataclass
class Instance:
    data: dict[str, Any]
    attachments: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def read_instance(root: Element, spec: FormSpec) -> Instance:
    """The answers as a dict (groups flattened, repeats as lists), with errors."""
    result = Instance(data={})
    _read_container(root, spec.top, result.data, result, spec.top.path)
    return result


def _read_container(
    el: Element, node: Node, out: dict[str, Any], result: Instance, label: str
) -> None:
    by_name = {child.name: child for child in node.children}
    seen: set[str] = set()
    for child_el in el:
        name = local(child_el.tag)
        if node.path == result_root(node) and name == "meta":
            continue
        child = by_name.get(name)
        if child is None:
            result.errors.append(
                _("%(path)s is not a question of this form version.")
                % {"path": f"{node.path}/{name}"}
            )
            continue
        seen.add(name)
        if child.kind == "repeat":
            item: dict[str, Any] = {}
            index = len(out.setdefault(child.name, [])) + 1
            _read_container(child_el, child, item, result, f"{child.path}[{index}]")
            out[child.name].append(item)
        elif child.kind == "group":
            _read_container(child_el, child, out, result, child.path)
        else:
            if child.name in out:
                result.errors.append(
                    _("%(path)s is answered twice.") % {"path": child.path}
                )
            value = (child_el.text or "").strip()
            _check_value(child, value, result)
            if value:
                out[child.name] = value
                if child.is_binary:
                    result.attachments.append(value)
    for child in node.children:
        needed = child.kind == "field" and child.required and not child.conditional
        if needed and not out.get(child.name):
            result.errors.append(
                _("%(path)s is required but empty.")
                % {"path": label + child.path[len(node.path) :]}
            )
        if child.kind == "group" and child.name not in seen:
            # A group absent from the XML still has required questions.
            _required_in_group(child, out, result)


def _required_in_group(node: Node, out: dict[str, Any], result: Instance) -> None:
    for child in node.children:
        if child.kind == "field" and child.required and not child.conditional:
            result.errors.append(
                _("%(path)s is required but empty.") % {"path": child.path}
            )
        elif child.kind == "group":
            _required_in_group(child, out, result)


def result_root(node: Node) -> str:
    return "/" + node.path.strip("/").split("/", 1)[0]


def _check_value(node: Node, value: str, result: Instance) -> None:
    if not value or node.choices is None:
        return
    values = value.split() if node.multi else [value]
    bad = [v for v in values if v not in node.choices]
    if bad:
        result.errors.append(
            _("%(path)s: %(values)s is not a choice of this form version.")
            % {"path": node.path, "values": ", ".join(bad)}
        )
