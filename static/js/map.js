// The map view of a search: one marker per listing, at its ZIP's centre (nudged a little so
// no two sit exactly on top of each other). Markers are for pointers; keyboards and screen
// readers use the named list under the map, which works without this.
"use strict";

const element = document.getElementById("results-map");
if (element && window.L) {
  const markers = JSON.parse(element.dataset.markers || "[]");
  element.replaceChildren();
  const map = L.map(element, { scrollWheelZoom: false });
  L.tileLayer(element.dataset.tiles, {
    maxZoom: 18,
    attribution: element.dataset.attribution,
  }).addTo(map);
  const bounds = [];
  for (const m of markers) {
    const link = document.createElement("a");
    link.href = m.url;
    link.textContent = m.title;
    const popup = document.createElement("div");
    popup.append(link);
    if (m.price) {
      const price = document.createElement("div");
      price.textContent = m.price;
      popup.append(price);
    }
    L.marker([m.lat, m.lon], { title: m.title, alt: m.title, keyboard: false })
      .addTo(map)
      .bindPopup(popup);
    bounds.push([m.lat, m.lon]);
  }
  if (bounds.length) {
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 13 });
  } else {
    map.setView([39.5, -98.35], 4);
  }
  element.dataset.ready = "true";
}

// A listing's area: a circle around its ZIP's centre, never a point. Without JavaScript the
// page says the place and links to the area on OpenStreetMap.
const area = document.getElementById("listing-map");
if (area && window.L) {
  const centre = [Number(area.dataset.lat), Number(area.dataset.lon)];
  area.hidden = false;
  // A view first: Leaflet draws no shape on a map without one.
  const map = L.map(area, { scrollWheelZoom: false }).setView(centre, 13);
  L.tileLayer(area.dataset.tiles, {
    maxZoom: 16,
    attribution: area.dataset.attribution,
  }).addTo(map);
  const circle = L.circle(centre, {
    radius: Number(area.dataset.radius),
    color: "#b45309",
    fillOpacity: 0.15,
    interactive: false,
  }).addTo(map);
  map.fitBounds(circle.getBounds(), { padding: [16, 16] });
  area.setAttribute("role", "region");
  area.setAttribute("aria-label", `Map of the area ${area.dataset.label.replace(/^Around/, "around")}`);
  area.dataset.ready = "true";
}
