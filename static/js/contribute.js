// The contribution form's map: click or tap to place the marker, drag it, use the device's
// position or the map centre. Writes lon/lat into the form's hidden fields. Without this
// script the form still works: the commune field places the initiative. Without background
// tiles the map draws the communes' outlines and names, enough to place the marker.
import { createMap } from "./radar-map.js";

const { gettext } = window;
const mapElement = document.getElementById("place-map");
const statusElement = document.getElementById("place-status");
const lonInput = document.getElementById("id_lon");
const latInput = document.getElementById("id_lat");
const communeInput = document.getElementById("id_commune");
const buttons = document.querySelector(".place-buttons");

// After a refused submission, take the reader to the list of what to correct.
document.getElementById("error-summary")?.focus();

function announce(text) {
  statusElement.textContent = text;
}

const map = createMap(mapElement, { announce });
let marker = null;

function place(latlng, { pan = false } = {}) {
  const lat = Number(latlng.lat.toFixed(6));
  const lon = Number(latlng.lng.toFixed(6));
  if (!marker) {
    marker = L.marker([lat, lon], {
      draggable: true,
      keyboard: true,
      title: gettext("Place of the initiative"),
      alt: gettext("Place of the initiative"),
    });
    marker.on("dragend", () => place(marker.getLatLng()));
    marker.addTo(map);
  } else {
    marker.setLatLng([lat, lon]);
  }
  if (pan) map.setView([lat, lon], Math.max(map.getZoom(), 14));
  lonInput.value = lon;
  latInput.value = lat;
  mapElement.dataset.placed = "true";
  announce(gettext("Place chosen on the map. You can drag the marker to adjust it."));
}

if (lonInput.value && latInput.value) {
  place({ lat: Number(latInput.value), lng: Number(lonInput.value) }, { pan: true });
}

map.on("click", (event) => place(event.latlng));

communeInput.addEventListener("change", () => {
  // A commune typed after a click means "put it in this commune": forget the map's point.
  if (!communeInput.value.trim()) return;
  lonInput.value = "";
  latInput.value = "";
  if (marker) {
    marker.remove();
    marker = null;
  }
  announce(gettext("The initiative will be placed in this commune."));
});

buttons.hidden = false;
document.getElementById("use-centre").addEventListener("click", () => place(map.getCenter()));
const positionButton = document.getElementById("use-position");
if (!("geolocation" in navigator)) positionButton.hidden = true;
positionButton.addEventListener("click", () => {
  announce(gettext("Looking for your position…"));
  navigator.geolocation.getCurrentPosition(
    (position) => place({ lat: position.coords.latitude, lng: position.coords.longitude }, { pan: true }),
    () => announce(gettext("Your position is not available. Click the map or type the commune.")),
    { enableHighAccuracy: true, timeout: 10000 },
  );
});
