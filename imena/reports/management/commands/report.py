from __future__ import annotations

import time
from typing import Any

from django.core.management.base import CommandError

from imena.burials.models import Site
from imena.core.commands import ImenaCommand
from imena.core.times import iso_time
from imena.reports import exports, services, sitejson
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

        counts = sub.add_parser(
            "counts",
            help="Count and store the records of sites' full JSON record for the "
            "statistics page (after a bulk load, or from a timer).",
        )
        counts.add_argument("sites", nargs="*", help="site codes (default: every site)")
        counts.add_argument("--organisation", help="organisation code, if codes clash")
        counts.add_argument(
            "--stale",
            action="store_true",
            help="only the counts made before the last change to the register",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "counts":
            self.counts(options)
            return
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

    def counts(self, options: dict[str, Any]) -> None:
        sites = (
            [resolve_site(code, options["organisation"]) for code in options["sites"]]
            if options["sites"]
            else Site.objects.order_by("pk")
        )
        t0 = time.perf_counter()
        n = 0
        for site, counted in sitejson.count_all_site_records(
            sites, stale_only=options["stale"]
        ):
            n += 1
            self.stdout.write(
                f"{site.code}: {counted.plain} records, {counted.analysis} analysis "
                f"records (counted at {iso_time(counted.counted_at)})"
            )
        self.stdout.write(f"{n} counts in {time.perf_counter() - t0:.1f} s")
