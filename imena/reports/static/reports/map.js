// Region and site maps (#17). No inline script (Content-Security-Policy): the
// page gives the GeoJSON URL and the tile URL in data- attributes of #map.
(function () {
  "use strict";

  function styleFor(feature) {
    var p = feature.properties || {};
    if (p.layer === "site_boundary") {
      return { color: "#5b6672", weight: 2, dashArray: "6 4", fill: false };
    }
    return {};
  }

  function pointFor(feature, latlng) {
    var p = feature.properties || {};
    if (p.layer === "site") {
      return L.circleMarker(latlng, {
        radius: 9, color: "#1f4e79", weight: 2, fillColor: "#1f4e79", fillOpacity: 0.5,
      });
    }
    if (p.mass) {
      return L.circleMarker(latlng, {
        radius: 11, color: "#9b1c1c", weight: 3, dashArray: "5 3",
        fillColor: p.colour, fillOpacity: 0.6, className: "grave mass",
      });
    }
    return L.circleMarker(latlng, {
      radius: 6, color: "#222", weight: 1, fillColor: p.colour, fillOpacity: 0.9,
      className: "grave",
    });
  }

  function eachFeature(feature, layer) {
    var p = feature.properties || {};
    if (p.label) {
      layer.bindTooltip(p.label);
    }
    if (p.url) {
      layer.on("click", function () { window.location.href = p.url; });
      layer.on("add", function () {
        var el = layer.getElement && layer.getElement();
        if (el) {
          el.setAttribute("data-url", p.url);
          el.setAttribute("role", "link");
          el.setAttribute("tabindex", "0");
          el.setAttribute("aria-label", p.label || p.url);
          el.addEventListener("keydown", function (event) {
            if (event.key === "Enter") { window.location.href = p.url; }
          });
        }
      });
    }
  }

  function start(el) {
    var map = L.map(el, { preferCanvas: false });
    var tiles = el.getAttribute("data-tile-url");
    if (tiles) {
      L.tileLayer(tiles, {
        maxZoom: 22, attribution: el.getAttribute("data-tile-attribution") || "",
      }).addTo(map);
    }
    map.setView([48.5, 31.2], 6); // Ukraine, until the data arrive
    var outline = el.getAttribute("data-outline");
    if (outline) {
      // No background: the bundled outline of Ukraine and its oblasts, drawn under the data and
      // not a link (it is not interactive, so the keyboard skips it).
      map.createPane("outline").style.zIndex = 350;
      fetch(outline, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          L.geoJSON(data, {
            pane: "outline", interactive: false,
            style: function (feature) {
              // The border, and thinner the oblasts' lines inside it.
              return feature.properties.layer === "oblasts"
                ? { color: "#8a949e", weight: 0.8, className: "oblasts" }
                : { color: "#5b6672", weight: 1.5, className: "outline" };
            },
          }).addTo(map);
          el.setAttribute("data-outline-loaded", "1");
        });
    }
    // Orthophotos of the site: images in a pane under the graves (overlayPane is
    // 400, the outline 350), above any tiles (200).
    var overlays = [];
    var script = document.getElementById("map-overlays");
    var listed = script ? JSON.parse(script.textContent) : [];
    if (listed.length) {
      map.createPane("orthophoto").style.zIndex = 300;
      listed.forEach(function (o) {
        var overlay = L.imageOverlay(o.url, o.bounds, {
          pane: "orthophoto", alt: o.label, className: "orthophoto", interactive: false,
        });
        overlay.on("load", function () {
          el.setAttribute("data-overlays-loaded", String(
            Number(el.getAttribute("data-overlays-loaded") || 0) + 1));
        });
        overlay.addTo(map);
        overlays.push(L.latLngBounds(o.bounds));
      });
    }
    fetch(el.getAttribute("data-geojson"), { credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) { throw new Error(r.status); }
        return r.json();
      })
      .then(function (data) {
        var layer = L.geoJSON(data, {
          style: styleFor, pointToLayer: pointFor, onEachFeature: eachFeature,
        }).addTo(map);
        var bounds = layer.getBounds();
        overlays.forEach(function (b) { bounds = bounds.isValid() ? bounds.extend(b) : b; });
        if (bounds.isValid()) {
          map.fitBounds(bounds, { padding: [24, 24], maxZoom: 20 });
        } else {
          var p = document.createElement("p");
          p.className = "warning map-empty";
          p.textContent = el.getAttribute("data-empty");
          el.parentNode.insertBefore(p, el.nextSibling);
        }
        el.setAttribute("data-loaded", String(data.features.length));
      })
      .catch(function () {
        el.setAttribute("data-loaded", "error");
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("map");
    if (el && window.L) { start(el); }
  });
})();
