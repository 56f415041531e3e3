from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    """JSON text that is the same for equal values: sorted keys, no spaces."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


class AuditEntry(models.Model):
    """One change to the data, chained to the entry before it.

    Entries are appended by ``imena.audit.services.audit_record`` only; the
    model refuses updates and deletes. ``hash`` is HMAC-SHA-256 with the audit
    key (``scheme`` ``hmac-sha256:<key id>``; entries from before keys,
    ``sha256``, are plain SHA-256). ``imena audit verify`` recomputes every
    hash, so an edit made directly in the database is found, and without the
    key the chain cannot be recomputed.
    """

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    created = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("who (name)"), max_length=150, blank=True)
    organisation_id = models.BigIntegerField(_("organisation"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=80)
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    before = models.TextField(_("before"), blank=True, default="")
    after = models.TextField(_("after"), blank=True, default="")
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)
    scheme = models.CharField(_("hash scheme"), max_length=40, default="sha256")
    #: The audited record's state just after the change, as keyed digests of
    #: each field (``{attname: hmac[:16]}``), for ``imena audit verify
    #: --records``; empty when the entry names no stored record.
    record_state = models.TextField(_("record state"), blank=True, default="")

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["seq"]
        indexes = [
            # The history panel of an object page: entries for one object.
            models.Index(fields=["object_type", "object_id", "seq"]),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("audit entries are append-only")

    def content(self) -> dict[str, Any]:
        created = self.created.astimezone(UTC).isoformat(timespec="microseconds")
        return {
            "seq": self.seq,
            "created": created,
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "organisation_id": self.organisation_id,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "before": self.before,
            "after": self.after,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self, key: bytes | None = None) -> str:
        """SHA-256 of the content (scheme ``sha256``), or its HMAC with
        ``key`` (the content then also carries the scheme)."""
        if self.scheme == "sha256":
            return hashlib.sha256(canonical_json(self.content()).encode()).hexdigest()
        if key is None:
            raise ValueError(f"entry #{self.seq}: scheme {self.scheme} needs a key")
        content = {**self.content(), "scheme": self.scheme}
        if self.record_state:
            content["record_state"] = self.record_state
        text = canonical_json(content)
        return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()

    @property
    def before_data(self) -> Any:
        return json.loads(self.before) if self.before else None

    @property
    def after_data(self) -> Any:
        return json.loads(self.after) if self.after else None

    def changes(self) -> list[tuple[str, Any, Any]]:
        """Fields that differ between before and after, for display."""
        before = self.before_data or {}
        after = self.after_data or {}
        if not isinstance(before, dict) or not isinstance(after, dict):
            return [("", before, after)]
        keys = sorted(set(before) | set(after))
        return [
            (k, before.get(k), after.get(k))
            for k in keys
            if before.get(k) != after.get(k)
        ]


class AuditHead(models.Model):
    """The chain's newest sequence and hash, locked while appending.

    Deleting the newest entries leaves the head pointing past the end, which
    verification reports.
    """

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)
    updated = models.DateTimeField(default=datetime(2000, 1, 1, tzinfo=UTC))

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash}"
