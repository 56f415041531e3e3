from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from imena.accounts.models import Organisation
from imena.burials.models import Site
from imena.core.commands import ImenaCommand
from imena.identification.models import ScreeningRun
from imena.identification.services import screening_run, screening_run_national
from imena.lib.bulk import progress_bar


class Command(ImenaCommand):
    help = (
        "DNA screening: `screen SITE` compares the site's current post-mortem "
        "profiles (`screen --national`: of every site) with every open missing "
        "person's reference family, stores the "
        "candidates (LR >= --threshold, and each body's --top-k best) and prints "
        "them as text or, with --json, as one JSON object."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        scr = sub.add_parser("screen", help="Screen a site's bodies.")
        scr.add_argument("site", nargs="?", help="Site code, e.g. IZM.")
        scr.add_argument(
            "--national",
            action="store_true",
            help="Screen the bodies of every site of the organisation (stored; "
            "profiles stored later update it).",
        )
        scr.add_argument(
            "--no-progress", action="store_true", help="No progress bar (--national)."
        )
        scr.add_argument("--organisation", default=None, help="Organisation code.")
        scr.add_argument("--threshold", type=float, default=1e4, help="LR threshold.")
        scr.add_argument("--top-k", type=int, default=5, help="Candidates per body.")
        scr.add_argument("--dropout", type=float, default=0.0, help="Drop-out prob.")
        scr.add_argument("--theta", type=float, default=0.0, help="Theta.")
        scr.add_argument(
            "--mutation",
            default="none",
            choices=["none", "equal", "proportional", "stepwise"],
            help="Mutation model.",
        )
        scr.add_argument("--rate", type=float, default=0.0, help="Mutation rate.")
        scr.add_argument("--json", action="store_true", help="Print JSON.")
        scr.add_argument(
            "--all", action="store_true", help="Print every kept candidate, not rank 1."
        )

    def _organisation(self, code: str | None) -> Organisation:
        orgs = Organisation.objects.all()
        if code:
            orgs = orgs.filter(code=code)
        found = list(orgs[:2])
        if len(found) != 1:
            raise CommandError(
                f"no organisation with code {code!r}"
                if code
                else "several organisations: name the --organisation"
            )
        return found[0]

    def handle(self, *args: Any, **options: Any) -> None:
        params = {
            "threshold": options["threshold"],
            "top_k": options["top_k"],
            "dropout": options["dropout"],
            "theta": options["theta"],
            "mutation": options["mutation"],
            "mutation_rate": options["rate"],
        }
        if options["national"]:
            if options["site"]:
                raise CommandError("name a site or --national, not both")
            org = self._organisation(options["organisation"])
            try:
                run = screening_run_national(
                    actor=None,
                    organisation=org,
                    progress=None
                    if options["no_progress"]
                    else progress_bar("families"),
                    **params,
                )
            except ValidationError as e:
                raise CommandError(" ".join(e.messages)) from None
            self._print(run, None, options)
            return
        if not options["site"]:
            raise CommandError("name a site (or --national)")
        sites = Site.objects.filter(code__iexact=options["site"])
        if options["organisation"]:
            sites = sites.filter(organisation__code=options["organisation"])
        found = list(sites.select_related("organisation")[:2])
        if not found:
            raise CommandError(f"no site with code {options['site']!r}")
        if len(found) > 1:
            raise CommandError(
                f"several sites have the code {options['site']!r}; "
                "name the --organisation"
            )
        site = found[0]
        try:
            run = screening_run(actor=None, site=site, **params)
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from None
        self._print(run, site, options)

    def _print(self, run: ScreeningRun, site: Site | None, options: Any) -> None:
        rows = run.candidate_rows.select_related("person").order_by("pm_label", "rank")
        if not options["all"]:
            rows = rows.filter(rank=1)
        if options["json"]:
            out = {
                "run": run.pk,
                "site": site.code if site else None,
                "national": run.national,
                "parameters": run.parameters,
                "bodies": run.bodies,
                "missing_persons": run.missing_persons,
                "pairs": run.pairs,
                "candidates_kept": run.candidates,
                "above_threshold": run.above_threshold,
                "seconds": run.seconds,
                "candidates": [
                    {
                        "pm": c.pm_label,
                        "rank": c.rank,
                        "am_case_no": c.person.case_no,
                        "lr": c.lr,
                        "log10_lr": round(c.log10_lr, 4),
                        "inconsistent": c.inconsistent,
                    }
                    for c in rows
                ],
            }
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=1))
            return
        where = site.code if site else "all sites"
        self.stdout.write(
            f"Screening {run.pk} of {where}: {run.bodies} bodies x "
            f"{run.missing_persons} missing persons, {run.candidates} candidates kept "
            f"({run.above_threshold} >= {run.threshold:g}) in {run.seconds:.1f} s"
        )
        for c in rows:
            flag = f"  {c.inconsistent} inconsistent" if c.inconsistent else ""
            self.stdout.write(
                f"{c.pm_label}\t{c.rank}\t{c.person.case_no}\t"
                f"LR {c.lr:.3g}\tlog10 {c.log10_lr:.2f}{flag}"
            )
