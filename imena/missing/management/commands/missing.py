from __future__ import annotations

import getpass
import time
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from imena.core.commands import ImenaCommand, organisation_by_code
from imena.journals.commands import _mapping
from imena.lib.bulk import error_text, progress_bar
from imena.missing import pfif
from imena.missing.services import pfif_export_record
from imena.missing.tabular import TableError, import_reports


class Command(ImenaCommand):
    help = (
        "Missing-person records in PFIF 1.4: `export-pfif --out FILE` writes the "
        "organisation's reports whose family consented to publication (names, sex, "
        "birth date or age, home address, one status note; withdrawn consent: an "
        "expired placeholder); `import-pfif FILE` reads persons and notes as new "
        "reports, all or nothing (outside notes never change a status; expired "
        "records and orphan notes skipped with a warning); `import-reports FILE [--mapping M]` stores every row "
        "of a CSV or XLSX file as a report, all or nothing, and lists possible "
        "duplicates."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        exp = sub.add_parser("export-pfif", help="Write a PFIF 1.4 document.")
        exp.add_argument("--out", required=True, help="File to write ('-' for stdout).")
        exp.add_argument("--organisation", default="demo", help="Organisation code.")
        exp.add_argument(
            "--no-validate",
            action="store_true",
            help="Skip the schema check of the written document.",
        )
        imp = sub.add_parser("import-pfif", help="Import a PFIF 1.4 document.")
        imp.add_argument("file", help="PFIF 1.4 XML file.")
        imp.add_argument("--organisation", default="demo", help="Organisation code.")
        imp.add_argument(
            "--lenient",
            action="store_true",
            help="Import a document that is not schema-valid but readable.",
        )
        imp.add_argument("--no-progress", action="store_true", help="No progress bar.")
        rep = sub.add_parser(
            "import-reports", help="Import reports from a CSV or XLSX file."
        )
        rep.add_argument("file", help="CSV (UTF-8, UTF-8 BOM, cp1251) or XLSX file.")
        rep.add_argument(
            "--mapping",
            help="column mapping: a JSON file or inline JSON {field: column header}",
        )
        rep.add_argument("--organisation", default="demo", help="Organisation code.")
        rep.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:

        org = organisation_by_code(options["organisation"])
        if options["action"] == "export-pfif":
            self._export(org, options)
        elif options["action"] == "import-reports":
            self._import_reports(org, options)
        else:
            self._import(org, options)

    def _export(self, org: Any, options: dict[str, Any]) -> None:

        document, count = pfif.export_organisation(org)
        if not options["no_validate"]:
            errors = pfif.validate(document)
            if errors:
                raise CommandError(f"the export is not valid PFIF 1.4: {errors[0]}")
        if options["out"] != "-":
            try:
                Path(options["out"]).write_bytes(document)
            except OSError as e:
                raise CommandError(
                    f"cannot write {options['out']}: {e.strerror}"
                ) from None

        try:
            os_user = getpass.getuser()
        except (KeyError, OSError):  # no passwd entry in some containers
            os_user = "unknown"
        pfif_export_record(
            actor=None,
            organisation=org,
            document=document,
            filename=Path(options["out"]).name,
            rows=count,
            via="cli",
            os_user=os_user,
        )
        if options["out"] == "-":
            self.stdout.write(document.decode("utf-8"))
            return
        self.stdout.write(
            f"Wrote {count} person records to {options['out']} "
            "(PFIF 1.4, schema-valid)."
        )

    def _import(self, org: Any, options: dict[str, Any]) -> None:

        path = Path(options["file"])
        try:
            document = path.read_bytes()
        except OSError as e:
            raise CommandError(f"cannot read {path}: {e.strerror}") from None
        try:
            result = pfif.import_document(
                actor=None,
                organisation=org,
                document=document,
                source=path.name,
                strict=not options["lenient"],
                progress=None if options["no_progress"] else progress_bar("persons"),
            )
        except pfif.PFIFError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(
            f"Imported {result.created} person records from {path.name}; "
            f"{result.skipped} already present were skipped."
        )
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")

    def _import_reports(self, org: Any, options: dict[str, Any]) -> None:

        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as e:
            raise CommandError(f"cannot read {path}: {e.strerror}") from None
        started = time.perf_counter()
        try:
            result = import_reports(
                actor=None,
                organisation=org,
                data=data,
                filename=path.name,
                mapping=_mapping(options["mapping"]),
                progress=None if options["no_progress"] else progress_bar("reports"),
            )
        except TableError as e:
            raise CommandError(str(e)) from None
        except ValidationError as e:
            raise CommandError(error_text(e)) from None
        seconds = time.perf_counter() - started
        n = len(result.persons)
        self.stdout.write(
            f"Imported {n} reports from {path.name} in {seconds:.1f} s "
            f"({n / max(seconds, 1e-6):.0f}/s), {result.audit_entries} audited "
            f"batches; {len(result.duplicates)} possible duplicate pairs."
        )
        for a, b in result.duplicates[:50]:
            self.stdout.write(f"  possible duplicate: {a.case_no} ~ {b.case_no}")
        if len(result.duplicates) > 50:
            self.stdout.write(f"  ... and {len(result.duplicates) - 50} more")
