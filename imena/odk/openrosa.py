"""The OpenRosa endpoints ODK Collect and Kobo Collect use.

formList, form download, manifest and media, and submission. They are the only
CSRF-exempt views of the app and authenticate with app tokens (HTTP Basic or Digest, see auth.py).
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils.translation import gettext as _

from imena.accounts.roles import can
from imena.odk import media, services
from imena.odk.auth import absolute_url, openrosa_view
from imena.odk.formdefs import FORMS
from imena.odk.instance import SubmissionError, header_of, meta_value, parse_xml
from imena.odk.models import XForm
from imena.odk.xformspec import parse_xform

XML = "text/xml; charset=utf-8"


def _forms_for(user: Any) -> dict[str, XForm]:
    return {
        form_id: xform
        for form_id, xform in services.xforms_current().items()
        if form_id in FORMS and can(user, FORMS[form_id].capability)
    }


def _not_allowed(allowed: list[str]) -> HttpResponse:
    response = HttpResponse(status=405)
    response["Allow"] = ", ".join(allowed)
    return response


@openrosa_view
def form_list(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return _not_allowed(["GET", "HEAD"])
    wanted = request.GET.get("formID", "")
    rows = []
    for form_id, xform in sorted(_forms_for(request.user).items()):
        if wanted and form_id != wanted:
            continue
        spec = parse_xform(xform.xml)
        download = absolute_url(request, reverse("odk:form_download", args=[form_id]))
        manifest = ""
        if spec.media:
            url = absolute_url(request, reverse("odk:manifest", args=[form_id]))
            manifest = f"<manifestUrl>{escape(url)}</manifestUrl>"
        rows.append(
            "<xform>"
            f"<formID>{escape(form_id)}</formID>"
            f"<name>{escape(xform.title)}</name>"
            f"<version>{escape(xform.version)}</version>"
            f"<hash>md5:{xform.md5}</hash>"
            f"<downloadUrl>{escape(download)}</downloadUrl>"
            f"{manifest}"
            "</xform>"
        )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<xforms xmlns="http://openrosa.org/xforms/xformsList">'
        + "".join(rows)
        + "</xforms>"
    )
    return HttpResponse(body, content_type=XML)


def _current(request: HttpRequest, form_id: str) -> XForm | None:
    return _forms_for(request.user).get(form_id)


@openrosa_view
def form_download(request: HttpRequest, form_id: str) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return _not_allowed(["GET", "HEAD"])
    xform = _current(request, form_id)
    if xform is None:
        return openrosa_message(404, _("No such form."))
    response = HttpResponse(xform.xml, content_type=XML)
    response["Content-Disposition"] = f'attachment; filename="{form_id}.xml"'
    return response


@openrosa_view
def manifest(request: HttpRequest, form_id: str) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return _not_allowed(["GET", "HEAD"])
    xform = _current(request, form_id)
    if xform is None:
        return openrosa_message(404, _("No such form."))
    rows = []
    for filename in parse_xform(xform.xml).media:
        content = media.media_file(request.user, filename)  # type: ignore[arg-type]
        if content is None:
            continue
        url = absolute_url(request, reverse("odk:media", args=[form_id, filename]))
        rows.append(
            "<mediaFile>"
            f"<filename>{escape(filename)}</filename>"
            f"<hash>md5:{media.md5(content)}</hash>"
            f"<downloadUrl>{escape(url)}</downloadUrl>"
            "</mediaFile>"
        )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest xmlns="http://openrosa.org/xforms/xformsManifest">'
        + "".join(rows)
        + "</manifest>"
    )
    return HttpResponse(body, content_type=XML)


@openrosa_view
def media_download(request: HttpRequest, form_id: str, filename: str) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return _not_allowed(["GET", "HEAD"])
    xform = _current(request, form_id)
    if xform is None or filename not in parse_xform(xform.xml).media:
        return openrosa_message(404, _("No such media file."))
    content = media.media_file(request.user, filename)  # type: ignore[arg-type]
    if content is None:
        return openrosa_message(404, _("No such media file."))
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def openrosa_message(status: int, message: str, nature: str = "") -> HttpResponse:
    attr = f' nature="{escape(nature)}"' if nature else ""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<OpenRosaResponse xmlns="http://openrosa.org/http/response">'
        f"<message{attr}>{escape(message)}</message>"
        "</OpenRosaResponse>"
    )
    return HttpResponse(body, status=status, content_type=XML)


class TailStream:
    """Wraps the request body stream and remembers its last bytes.

    Django's multipart parser silently drops a part cut off by a truncated body;
    the closing boundary at the end of what was read tells a whole body apart.
    """

    KEEP = 256

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.tail = b""
        self.read_bytes = 0

    def _note(self, data: bytes) -> bytes:
        self.read_bytes += len(data)
        self.tail = (self.tail + data)[-self.KEEP :]
        return data

    def read(self, *args: Any, **kwargs: Any) -> bytes:
        return self._note(self.stream.read(*args, **kwargs))

    def readline(self, *args: Any, **kwargs: Any) -> bytes:
        return self._note(self.stream.readline(*args, **kwargs))


def _boundary(content_type: str) -> bytes:
    for part in content_type.split(";")[1:]:
        key, _sep, value = part.strip().partition("=")
        if key.lower() == "boundary":
            return value.strip().strip('"').encode("latin-1", "replace")
    return b""


@openrosa_view
def submission(request: HttpRequest) -> HttpResponse:
    limit = settings.IMENA_MAX_SUBMISSION_BYTES
    if request.method in ("HEAD", "GET"):
        response = HttpResponse(status=204)
        response["X-OpenRosa-Accept-Content-Length"] = str(limit)
        return response
    if request.method != "POST":
        return _not_allowed(["HEAD", "GET", "POST"])
    user = request.user
    device_header = request.META.get("HTTP_X_OPENROSA_DEVICEID", "") or request.GET.get(
        "deviceID", ""
    )
    try:
        return _receive(request, user, limit, device_header)
    except SubmissionError as e:
        return openrosa_message(e.status, e.message)


def _refuse(
    user: Any, error: SubmissionError, *, xml: bytes | None = None, device_id: str = ""
) -> SubmissionError:
    """Record a refused submission in quarantine; return the error to raise."""
    form_id = instance_id = ""
    if xml is not None and error.reason not in ("hostile_xml", "malformed_xml"):
        try:
            root = parse_xml(xml)
            form_id = header_of(root)[1]
            instance_id = meta_value(root, "instanceID")
        except SubmissionError:
            pass
    services.quarantine_record(
        user=user,
        reason=error.reason,
        message=error.message,
        body=xml if (error.keep and xml is not None) else None,
        body_size=len(xml) if xml is not None else 0,
        form_id=form_id,
        instance_id=instance_id,
        device_id=device_id,
    )
    return error


def _receive(
    request: HttpRequest, user: Any, limit: int, device_id: str
) -> HttpResponse:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise _refuse(
            user,
            SubmissionError(
                413,
                _("The submission is larger than %(limit)d bytes.") % {"limit": limit},
                "too_large",
            ),
            device_id=device_id,
        )
    content_type = request.META.get("CONTENT_TYPE", "")
    boundary = _boundary(content_type)
    if not content_type.startswith("multipart/form-data") or not boundary:
        raise _refuse(
            user,
            SubmissionError(
                400,
                _("Send the submission as multipart/form-data."),
                "not_multipart",
            ),
            device_id=device_id,
        )
    # The only way to see what the multipart parser read is to wrap its stream.
    tail = TailStream(request._stream)
    request._stream = tail  # type: ignore[assignment]
    try:
        files = request.FILES
    except MultiPartParserError as e:
        raise _refuse(
            user,
            SubmissionError(
                400,
                _("The multipart body cannot be read: %(error)s") % {"error": e},
                "bad_multipart",
            ),
            device_id=device_id,
        ) from None
    closing = b"--" + boundary + b"--"
    if closing not in tail.tail or tail.read_bytes < length:
        raise _refuse(
            user,
            SubmissionError(
                400,
                _(
                    "The multipart body is truncated (no closing boundary); send it again."
                ),
                "truncated",
            ),
            device_id=device_id,
        )
    xml_file = files.get("xml_submission_file")
    if xml_file is None:
        raise _refuse(
            user,
            SubmissionError(
                400,
                _("The body has no xml_submission_file part."),
                "no_xml",
            ),
            device_id=device_id,
        )
    incoming = []
    for key, uploads in files.lists():
        if key == "xml_submission_file":
            continue
        for upload in uploads:
            if upload.size is not None and upload.size > limit:
                raise _refuse(
                    user,
                    SubmissionError(
                        413,
                        _("Attachment %(name)s is larger than %(limit)d bytes.")
                        % {"name": upload.name, "limit": limit},
                        "too_large",
                    ),
                    device_id=device_id,
                )
            incoming.append(
                services.IncomingFile(
                    upload.name or key, upload.content_type or "", upload
                )
            )
    xml = xml_file.read()
    try:
        receipt = services.submission_receive(
            user=user,
            xml=xml,
            files=incoming,
            device_id=device_id,
        )
    except SubmissionError as e:
        raise _refuse(user, e, xml=xml, device_id=device_id) from None
    if receipt.created:
        message = _("Received; it waits for review in Imena.")
    elif receipt.added:
        message = _("Received the remaining attachments.")
    else:
        message = _("Already received; nothing new was stored.")
    return openrosa_message(receipt.status, message, nature="submit_success")
