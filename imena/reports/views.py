from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from imena.accounts.http import AuthenticatedHttpRequest
from imena.accounts.roles import can
from imena.audit.services import audit_record
from imena.burials import access as burials_access
from imena.burials.models import GraveStatus, Site
from imena.core.times import local_time
from imena.evidence import access as evidence_access
from imena.evidence import georef, storage
from imena.evidence import services as evidence_services
from imena.lib.forms import add_errors
from imena.reports import access, exports, maps, selectors, services, sitejson
from imena.reports.files import ExportFile
from imena.reports.forms import OrthophotoForm
from imena.reports.svg import Plan
from imena.reports.svg import site_plan as draw_site_plan


@require_GET
@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Overall statistics of the organisation, by region and by site."""
    sites = access.report_sites_for_user(request.user)
    scope = selectors.Scope(
        access.audience_for(request.user),
        sites,
        title=_("All sites"),
    )
    return render(
        request,
        "reports/index.html",
        {
            "scope": scope,
            "sections": selectors.statistics(scope),
            "rows": selectors.per_site(sites),
            "regions": selectors.regions(sites),
            "statuses": GraveStatus.choices,
            # Offered only to the roles the export lets in (#21: no link to a 403).
            "missing_export_url": selectors.missing_export_url()
            if can(request.user, "missing.export")
            else "",
        },
    )


@require_GET
@login_required
def region_statistics(request: AuthenticatedHttpRequest) -> HttpResponse:
    region = request.GET.get("region", "")
    sites = access.report_sites_for_user(request.user).filter(region=region)
    if not sites.exists():
        raise Http404("No site in this region")
    scope = selectors.Scope(
        access.audience_for(request.user),
        sites,
        title=region or _("No region given"),
    )
    return render(
        request,
        "reports/region_statistics.html",
        {
            "scope": scope,
            "region": region,
            "sections": selectors.statistics(scope),
            "rows": selectors.per_site(sites),
            "statuses": GraveStatus.choices,
        },
    )


@require_GET
@login_required
def site_statistics(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    site = access.report_site_for_user(request.user, pk)
    audience = access.audience_for(request.user)
    scope = selectors.Scope(
        audience, Site.objects.filter(pk=site.pk), site=site, title=site.name
    )
    can_export = audience.can("report.export")
    return render(
        request,
        "reports/site_statistics.html",
        {
            "site": site,
            "scope": scope,
            "sections": selectors.statistics(scope),
            "can_export": can_export,
            **(_exports_context(site, audience, count=False) if can_export else {}),
        },
    )


def _exports_context(site: Site, audience: access.Audience, *, count: bool) -> dict:
    """The export menu with the site record's stored counts, dated.

    The page never counts (seconds at national size): it shows the stored
    counts with their time and asks for ``site_record_counts`` after loading
    when there are none yet or they are stale and old (:attr:`RecordCounts.due`).
    ``count``: that deferred request, which counts and stores them.
    """
    counts = sitejson.stored_record_counts(site, audience)
    if count and (counts is None or counts.due):
        counts = sitejson.count_site_records(site, audience)
    return {
        "site": site,
        "exports": exports.export_menu(site, audience, counts),
        "counts": counts,
        "counted_at": local_time(counts.counted_at) if counts else "",
        "recount": counts is None or counts.due,
    }


@require_GET
@login_required
def site_record_counts(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The export menu after counting the site's record (htmx, after the page)."""
    site = access.report_site_for_user(request.user, pk, capability="report.export")
    audience = access.audience_for(request.user)
    return render(
        request,
        "reports/_exports.html",
        _exports_context(site, audience, count=True),
    )


def _plan(site: Site) -> Plan:
    return draw_site_plan(
        selectors.plan_graves(site),
        title=_("Site plan: %(site)s") % {"site": site.name},
        site_lat=site.lat,
        site_lon=site.lon,
        boundary=site.boundary,
    )


@require_GET
@login_required
def site_plan(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    site = access.plan_site_for_user(request.user, pk)
    return render(
        request,
        "reports/site_plan.html",
        {
            "site": site,
            "plan": _plan(site),
            "withdrawn": selectors.withdrawn_count(site),
        },
    )


@require_GET
@login_required
def site_plan_svg(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    site = access.plan_site_for_user(request.user, pk)
    plan = _plan(site)
    return HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + plan.svg,
        content_type="image/svg+xml; charset=utf-8",
    )


@require_GET
@login_required
def site_export(
    request: AuthenticatedHttpRequest, pk: int, dataset: str, fmt: str
) -> FileResponse:
    """One export of a site, made to a file, audited, then sent.

    A site the user may not see is a 404 and a role without report.export a
    403, before anything is written: there is never an empty file.
    """
    site = access.report_site_for_user(request.user, pk, capability="report.export")
    audience = access.audience_for(request.user)
    try:
        export = exports.produce(
            audience,
            site,
            dataset,
            fmt,
            lang=request.LANGUAGE_CODE or "",
            with_analysis=request.GET.get("analysis") == "1",
        )
    except exports.ExportError as e:
        raise Http404(str(e)) from None
    services.export_record(audience=audience, site=site, export=export, via="web")
    return _send(export)


@require_GET
@login_required
def sites_geojson(request: AuthenticatedHttpRequest) -> FileResponse:
    """All sites and their graves as one GeoJSON FeatureCollection."""
    sites = access.report_sites_for_user(request.user)
    access.require(request.user, "report.export")
    audience = access.audience_for(request.user)
    export = exports.export_geojson(sites.order_by("code"), filename="sites.geojson")
    services.export_record(audience=audience, site=None, export=export, via="web")
    return _send(export)


def _send(export: ExportFile) -> FileResponse:
    response = FileResponse(
        export.open(),
        as_attachment=True,
        filename=export.filename,
        content_type=export.content_type,
    )
    response["X-Content-SHA256"] = export.sha256
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
def site_records(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The records behind one figure of the bodies and findings sections."""
    site = access.report_site_for_user(request.user, pk)
    access.require(request.user, "postmortem.view")
    audience = access.audience_for(request.user)
    scope = selectors.Scope(audience, Site.objects.filter(pk=site.pk), site=site)
    key, value = request.GET.get("key", ""), request.GET.get("value", "")
    records = selectors.records_behind(scope, key, value)
    if records is None:
        raise Http404("No such figure")
    return render(
        request,
        "reports/site_records.html",
        {
            "site": site,
            "records": records[:5000],
            "count": records.count(),
            "key": key,
            "value": value,
        },
    )


# --- Maps (#17): Leaflet pages whose data come from the GeoJSON below -------------


def _map_context() -> dict[str, str]:
    tile_url = settings.IMENA_MAP_TILE_URL
    if not tile_url and settings.IMENA_MAP_MBTILES:
        tile_url = reverse("reports:map_tile", args=[1, 2, 3]).replace(
            "1/2/3", "{z}/{x}/{y}"
        )
    return {
        "tile_url": tile_url,
        "tile_attribution": settings.IMENA_MAP_TILE_ATTRIBUTION,
        # Without a background, a bundled outline of Ukraine still places the
        # sites (docs/reports.md says where it comes from).
        "outline_url": "" if tile_url else static("reports/ukraine-outline.geojson"),
    }


@require_GET
@login_required
def region_map(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every site the user may see on one map; each links to its site map."""
    sites = burials_access.sites_for_user(request.user)
    return render(
        request,
        "reports/region_map.html",
        {**_map_context(), "unplaced": sites.filter(lat__isnull=True).count()},
    )


@require_GET
@login_required
def region_map_geojson(request: AuthenticatedHttpRequest) -> JsonResponse:
    sites = burials_access.sites_for_user(request.user)
    response = JsonResponse(maps.sites_collection(sites))
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
def site_map(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Every grave of a site with a latitude/longitude, coloured by status."""
    site = access.plan_site_for_user(request.user, pk)
    orthophotos = evidence_access.orthophotos_for_site(request.user, site)
    return render(
        request,
        "reports/site_map.html",
        {
            **_map_context(),
            "site": site,
            "unplaced": maps.graves_without_position(site),
            "legend": maps.legend(),
            "orthophotos": orthophotos,
            # Drawn under the graves by map.js (json_script: no inline script).
            "overlays": [
                {
                    "url": reverse("reports:orthophoto_image", args=[o.pk]),
                    "bounds": [[o.south, o.west], [o.north, o.east]],
                    "label": _("Orthophoto %(number)s") % {"number": o.item.number},
                }
                for o in orthophotos
            ],
            "can_add_orthophoto": access.can(request.user, "evidence.change"),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def orthophoto_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Upload a georeferenced image of the site; stored as evidence, drawn on the map."""
    site = access.plan_site_for_user(request.user, pk)
    access.require(request.user, "evidence.change")
    form = OrthophotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["image"]
        try:
            staged = storage.stage(
                upload.chunks(storage.CHUNK),
                name=upload.name,
                max_bytes=settings.IMENA_MAX_ORTHOPHOTO_BYTES,
            )
            orthophoto = evidence_services.orthophoto_create(
                actor=request.user,
                site=site,
                staged=staged,
                world_file=form.cleaned_data["world_file"],
                epsg=form.cleaned_data["epsg"],
                description=form.cleaned_data["description"],
                place=form.cleaned_data["place"],
            )
        except (storage.EvidenceFileError, georef.OrthophotoError) as e:
            form.add_error("image", str(e))
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(
                request,
                _("Orthophoto stored as evidence item %(number)s.")
                % {"number": orthophoto.item.number},
            )
            return redirect("reports:site_map", pk=site.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "reports/orthophoto_form.html",
        {"site": site, "form": form},
        status=status,
    )


@require_GET
@login_required
def orthophoto_image(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """The web rendition of an orthophoto (the original is the evidence file)."""
    orthophoto = evidence_access.orthophoto_for_user(request.user, pk)
    path = storage.rendition_path(orthophoto.rendition)
    if not path.exists():
        raise Http404("Rendition missing from the store")
    audit_record(
        actor=request.user, action="evidence.rendition_view", obj=orthophoto.item
    )
    response = FileResponse(path.open("rb"), content_type=orthophoto.rendition_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
@login_required
def site_map_geojson(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    site = access.plan_site_for_user(request.user, pk)
    response = JsonResponse(maps.graves_collection(site))
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
def map_tile(request: AuthenticatedHttpRequest, z: int, x: int, y: int) -> HttpResponse:
    """A tile of the organisation's MBTiles file (IMENA_MAP_MBTILES)."""
    if not settings.IMENA_MAP_MBTILES:
        raise Http404("no MBTiles file is configured")
    tile = maps.mbtiles_tile(settings.IMENA_MAP_MBTILES, z, x, y)
    if tile is None:
        raise Http404("no such tile")
    response = HttpResponse(tile[0], content_type=tile[1])
    response["Cache-Control"] = "private, max-age=86400"
    return response
