from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from imena.core.commands import ImenaCommand
from imena.reports import exports, services
from imena.reports.management.commands._common import audience, deliver, resolve_site

FORMATS = ["pdf", "json", "csv", "xlsx", "geojson", "gpkg"]


class Command(ImenaCommand):
    help = (
        "Reports of a site. `report site SITE --format pdf|json|csv|xlsx|geojson|gpkg "
        "--out FILE`: runs with full access (or as --as USERNAME) and records the "
        "export, its SHA-256 and the OS user in the audit log."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        site = sub.add_parser("site", help="Export one site.")
        site.add_argument("site", help="site code (or numeric id)")
        site.add_argument("--format", required=True, choices=FORMATS)
        site.add_argument("--out", required=True, help="file to write")
        site.add_argument(
            "--dataset",
            default="graves",
            help="for csv/xlsx: graves, bodies, findings, identifications, evidence",
        )
        site.add_argument(
            "--lang", default="uk", choices=["uk", "en"], help="PDF language"
        )
        site.add_argument("--organisation", help="organisation code, if codes clash")
        site.add_argument("--as", dest="as_user", help="export what USERNAME may see")
        site.add_argument(
            "--with-analysis",
            action="store_true",
            help="json: include the stored analysis tables (left out by default)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        site = resolve_site(options["site"], options["organisation"])
        who = audience(site, options["as_user"])
        fmt = options["format"]
        dataset = {
            "pdf": "summary",
            "json": "site",
            "geojson": "graves",
            "gpkg": "graves",
        }.get(fmt, options["dataset"])
        try:
            export = exports.produce(
                who,
                site,
                dataset,
                fmt,
                lang=options["lang"],
                with_analysis=options["with_analysis"],
            )
        except exports.ExportError as e:
            raise CommandError(str(e)) from None
        services.export_record(audience=who, site=site, export=export, via="cli")
        target = deliver(export, options["out"])
        self.stdout.write(
            f"wrote {target} ({fmt}, {export.rows} rows, {export.size} bytes, "
            f"sha256 {export.sha256})"
        )
