// The detail page's small map: the initiative's place, on the background tiles or, without
// them, on the communes' outlines and names drawn from the project's data.
import { createMap } from "./radar-map.js";

const mapElement = document.getElementById("detail-map");
if (mapElement) {
  const lat = Number(mapElement.dataset.lat);
  const lon = Number(mapElement.dataset.lon);
  const map = createMap(mapElement);
  map.setView([lat, lon], 13);
  L.marker([lat, lon], { keyboard: false, interactive: false, alt: "" }).addTo(map);
}
