from __future__ import annotations

from typing import Any

from imena.core.commands import ImenaCommand
from imena.reports import services
from imena.reports.management.commands._common import audience, deliver, resolve_site
from imena.reports.sitejson import export_site_file


class Command(ImenaCommand):
    help = (
        "`export site SITE --out FILE.json [--with-analysis]`: the full record of a "
        "site, which `imena import site` re-imports into another database; stored "
        "analysis tables that can be recomputed only with --with-analysis. Audited."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        site = sub.add_parser("site", help="Export one site as JSON.")
        site.add_argument("site", help="site code (or numeric id)")
        site.add_argument("--out", required=True, help="the .json file to write")
        site.add_argument("--organisation", help="organisation code, if codes clash")
        site.add_argument("--as", dest="as_user", help="export what USERNAME may see")
        site.add_argument(
            "--with-analysis",
            action="store_true",
            help="include the stored analysis tables (candidates, screenings, "
            "reconciliation clusters), which are otherwise left out",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        site = resolve_site(options["site"], options["organisation"])
        who = audience(site, options["as_user"])
        export = export_site_file(who, site, with_analysis=options["with_analysis"])
        services.export_record(audience=who, site=site, export=export, via="cli")
        target = deliver(export, options["out"])
        self.stdout.write(
            f"wrote {target} ({export.rows} records, {export.size} bytes, "
            f"sha256 {export.sha256})"
        )
