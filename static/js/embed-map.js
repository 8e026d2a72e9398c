// The framed map: the initiatives of the chosen territory and themes, from the API.
// Every link opens the Territorial Radar outside the frame. Texts are set with textContent:
// initiative texts are untrusted.
const { gettext, interpolate } = window;
const mapElement = document.getElementById("map");
const statusElement = document.getElementById("map-status");
const labels = JSON.parse(document.getElementById("choice-labels").textContent);
const { api, query, site } = mapElement.dataset;

const map = L.map(mapElement, { center: [44.83, -0.58], zoom: 9 });
const tiles = L.tileLayer(mapElement.dataset.tiles, { attribution: mapElement.dataset.attribution, maxZoom: 18 });
tiles.once("tileerror", () => {
  mapElement.classList.add("no-tiles");
  statusElement.textContent = gettext("The background map cannot be loaded; the initiatives are still shown.");
});
tiles.addTo(map);
const cluster = L.markerClusterGroup({ chunkedLoading: true });
map.addLayer(cluster);

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function popupContent(id, properties) {
  const box = element("div", null, "popup");
  const title = element("h3");
  const link = element("a", properties.name);
  link.href = `${site}/initiatives/${id}/`;
  link.target = "_blank";
  link.rel = "noopener";
  title.append(link);
  box.append(title);
  if (properties.is_synthetic) box.append(element("span", gettext("fictional example"), "badge synthetic"));
  box.append(element("p", properties.short_description));
  const themes = properties.themes.map((value) => labels.themes[value] || value).join(", ");
  if (themes) box.append(element("p", themes, "themes"));
  return box;
}

async function load() {
  let url = `${api}?page_size=1000${query ? `&${query}` : ""}`;
  let count = 0;
  while (url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(response.statusText);
    const page = await response.json();
    cluster.addLayers(
      page.features.map((feature) => {
        const [lon, lat] = feature.geometry.coordinates;
        const marker = L.marker([lat, lon], { title: feature.properties.name, alt: feature.properties.name });
        marker.bindPopup(() => popupContent(feature.id ?? feature.properties.id, feature.properties));
        return marker;
      }),
    );
    count += page.features.length;
    url = page.next;
  }
  if (count > 0) map.fitBounds(cluster.getBounds(), { padding: [20, 20], maxZoom: 14 });
  mapElement.dataset.loaded = String(count);
}

load().catch(() => {
  statusElement.textContent = gettext("The initiatives could not be loaded. The list below still works.");
});
