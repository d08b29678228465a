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
