"""`imena odk`: build and check the XLSForms, publish them, import exports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from imena.accounts.models import User
from imena.core.commands import ImenaCommand
from imena.odk.build_forms import (
    FormBuildError,
    build_all,
    read_xlsx,
    to_xform,
    xlsx_path,
)
from imena.odk.drift import drift_report
from imena.odk.formdefs import FORMS
from imena.odk.importer import ImportError_, import_export
from imena.odk.services import xform_publish


class Command(ImenaCommand):
    help = (
        "ODK field capture: build-forms (write the .xlsx XLSForms), check-forms "
        "(build, validate, report drift), publish, import-export FORM_ID FILE "
        "[--media ZIP] --user USERNAME."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("build-forms", help="write imena/odk/xlsforms/*.xlsx")
        sub.add_parser("check-forms", help="validate every form, report drift")
        sub.add_parser("publish", help="publish new form versions for Collect")
        imp = sub.add_parser("import-export", help="import a Kobo/Central export")
        imp.add_argument("form_id")
        imp.add_argument("file", type=Path)
        imp.add_argument("--media", type=Path, default=None)
        imp.add_argument(
            "--user", required=True, help="the Imena user the drafts come from"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "build-forms":
            for path in build_all():
                self.stdout.write(str(path))
        elif action == "check-forms":
            self._check()
        elif action == "publish":
            for xform in xform_publish(validate=True):
                self.stdout.write(f"published {xform.form_id} {xform.version}")
        else:
            self._import(options)

    def _check(self) -> None:

        problems = drift_report()
        for form_id in FORMS:
            try:
                to_xform(read_xlsx(xlsx_path(form_id)), validate=True)
                self.stdout.write(f"{form_id}: builds, ODK Validate passed")
            except (FormBuildError, OSError) as e:
                problems.append(f"{form_id}: {e}")
        if problems:
            raise CommandError("; ".join(problems))
        self.stdout.write("no drift")

    def _import(self, options: dict[str, Any]) -> None:

        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"no user {options['user']}")
        for p in (options["file"], options["media"]):
            if p is not None and not p.exists():
                raise CommandError(f"{p}: no such file")
        try:
            result = import_export(
                user=user,
                form_id=options["form_id"],
                path=options["file"],
                media=options["media"],
            )
        except ImportError_ as e:
            raise CommandError(str(e)) from None
        self.stdout.write(
            f"drafts created: {result.created}; duplicates: {result.duplicates}; "
            f"refused rows: {len(result.errors)}"
        )
        for line in result.errors:
            self.stdout.write(f"  {line}")
        if result.errors and not result.created and not result.duplicates:
            raise CommandError("no row could be imported")
