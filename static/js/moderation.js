// The moderation queue: each item's small map (its position, and its possible duplicates as
// grey circles) is drawn when the item is unfolded. Without JavaScript the position is given
// in words beside it.
const script = document.getElementById("moderation-script");

function drawMap(element) {
  const lat = Number(element.dataset.lat);
  const lon = Number(element.dataset.lon);
  const map = L.map(element, { center: [lat, lon], zoom: 15, scrollWheelZoom: false });
  if (script.dataset.tiles) {
    L.tileLayer(script.dataset.tiles, { attribution: script.dataset.attribution, maxZoom: 19 }).addTo(map);
  }
  L.marker([lat, lon], { title: element.dataset.name, alt: element.dataset.name }).addTo(map);
  const points = [[lat, lon]];
  for (const entry of element.dataset.duplicates.split(";").filter(Boolean)) {
    const [dLat, dLon] = entry.split(",").map(Number);
    L.circleMarker([dLat, dLon], { radius: 9, color: "#4a5560", weight: 3, fillOpacity: 0.2 }).addTo(map);
    points.push([dLat, dLon]);
  }
  if (points.length > 1) map.fitBounds(points, { padding: [30, 30], maxZoom: 17 });
  element.dataset.ready = "true";
}

for (const details of document.querySelectorAll(".item-details")) {
  details.addEventListener("toggle", () => {
    const element = details.querySelector(".mini-map");
    if (details.open && element && !element.dataset.ready) drawMap(element);
  });
}
