// The public map: published initiatives from the API, clustered; filters update it in place.
// Popups are built with textContent, never innerHTML: initiative texts are untrusted.
const { gettext, interpolate } = window;
const mapElement = document.getElementById("map");
const statusElement = document.getElementById("map-status");
const form = document.getElementById("filters");
const labels = JSON.parse(document.getElementById("choice-labels").textContent);

const map = L.map(mapElement, { center: [44.83, -0.58], zoom: 9 });
const tiles = L.tileLayer(mapElement.dataset.tiles, {
  attribution: mapElement.dataset.attribution,
  maxZoom: 18,
});
let tileErrorShown = false;
tiles.on("tileerror", () => {
  if (!tileErrorShown) {
    tileErrorShown = true;
    mapElement.classList.add("no-tiles");
    announce(gettext("The background map cannot be loaded; the initiatives are still shown."));
  }
});
tiles.addTo(map);
const cluster = L.markerClusterGroup({ chunkedLoading: true });
map.addLayer(cluster);

function announce(text) {
  statusElement.textContent = text;
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function popupContent(properties) {
  const box = element("div", null, "popup");
  const title = element("h3");
  const link = element("a", properties.name);
  link.href = `/initiatives/${properties.id}/${window.location.search}`;
  title.append(link);
  box.append(title);
  if (properties.is_synthetic) box.append(element("span", gettext("fictional example"), "badge synthetic"));
  if (properties.needs_confirmation) box.append(element("span", gettext("to be confirmed"), "badge stale"));
  box.append(element("p", properties.short_description));
  const themes = properties.themes.map((value) => labels.themes[value] || value).join(", ");
  if (themes) box.append(element("p", themes, "themes"));
  return box;
}

function addFeatures(features) {
  const markers = features.map((feature) => {
    const [lon, lat] = feature.geometry.coordinates;
    const marker = L.marker([lat, lon], { title: feature.properties.name, alt: feature.properties.name });
    marker.bindPopup(() => popupContent({ ...feature.properties, id: feature.id ?? feature.properties.id }));
    return marker;
  });
  cluster.addLayers(markers);
  return markers.length;
}

async function loadAll(query) {
  let url = `${mapElement.dataset.api}?page_size=1000${query ? `&${query}` : ""}`;
  let count = 0;
  cluster.clearLayers();
  announce(gettext("Loading the initiatives…"));
  while (url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(response.statusText);
    const page = await response.json();
    count += addFeatures(page.features);
    url = page.next;
  }
  if (count > 0 && !mapElement.dataset.loaded) map.fitBounds(cluster.getBounds(), { padding: [20, 20] });
  const text = interpolate(gettext("%s initiatives on the map."), [count]);
  announce(text);
  mapElement.dataset.loaded = String(count);
}

function filterQuery() {
  const params = new URLSearchParams(new FormData(form));
  params.delete("page");
  return params.toString();
}

async function refreshList(query) {
  const response = await fetch(`${form.action}?${query}`, { headers: { Accept: "text/html" } });
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  document.getElementById("initiative-list").replaceWith(page.getElementById("initiative-list"));
}

async function applyFilters() {
  const query = filterQuery();
  history.replaceState(null, "", query ? `?${query}` : form.action);
  try {
    await Promise.all([loadAll(query), refreshList(query)]);
  } catch (error) {
    announce(gettext("The initiatives could not be loaded. The list below still works."));
  }
}

form.addEventListener("change", (event) => {
  // The search box applies on submit (Enter or its button), not on every change of focus.
  if (event.target.type !== "search") applyFilters();
});
// Wide screens have room for every filter: unfold them there.
const moreFilters = form.querySelector("details.more-filters");
if (moreFilters && window.matchMedia("(min-width: 900px)").matches) moreFilters.open = true;
form.addEventListener("submit", (event) => {
  event.preventDefault();
  applyFilters();
});
loadAll(filterQuery()).catch(() =>
  announce(gettext("The initiatives could not be loaded. The list below still works.")),
);
