// The radar: initiatives, gaps, white zones, clusters, emerging movements and support requests
// as switchable layers; filters update the map and the tables in place. The tables below the
// map are rendered by the server and carry the same information without JavaScript.
// Popups are built with textContent, never innerHTML: initiative texts are untrusted.
const { gettext, ngettext, interpolate } = window;
// Numbers in the page's language (1 234,5 in French), not JavaScript's default.
const numberFormat = new Intl.NumberFormat(document.documentElement.lang || undefined);
const decimalFormat = new Intl.NumberFormat(document.documentElement.lang || undefined, {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
function count(template, n) {
  return interpolate(template, [numberFormat.format(n)]);
}
const mapElement = document.getElementById("radar-map");
const statusElement = document.getElementById("radar-status");
const form = document.getElementById("radar-filters");
const labels = JSON.parse(document.getElementById("radar-labels").textContent);
const RATE_COLOURS = ["#f7fcf5", "#c7e9c0", "#74c476", "#31a354", "#006d2c"];

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
  }
});
tiles.addTo(map);

const layers = {
  gaps: L.layerGroup(),
  white: L.layerGroup(),
  clusters: L.layerGroup(),
  emerging: L.layerGroup(),
  initiatives: L.markerClusterGroup({ chunkedLoading: true }),
  asking: L.layerGroup(),
  trends: L.layerGroup(),
};
const messages = {};

function announce() {
  statusElement.textContent = Object.values(messages).filter(Boolean).join(" ");
}

function say(key, text) {
  messages[key] = text;
  announce();
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function link(text, href) {
  const anchor = element("a", text);
  anchor.href = href;
  return anchor;
}

async function getJson(url, attempts = 30) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (response.status === 202 && attempts > 0) {
    // The task worker is computing this result: ask again when the server says.
    say("computing", gettext("This layer is being computed; it will appear shortly."));
    const seconds = Number(response.headers.get("Retry-After")) || 5;
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    return getJson(url, attempts - 1);
  }
  say("computing", "");
  if (!response.ok || response.status === 202) throw new Error(String(response.status));
  return response.json();
}

// Initiatives -------------------------------------------------------------------------------

function startYear(properties) {
  return properties.start_date ? Number(properties.start_date.slice(0, 4)) : null;
}

function inPeriod(properties, since, until) {
  if (!since && !until) return true;
  const year = startYear(properties);
  if (year === null) return false;
  return (!since || year >= since) && (!until || year <= until);
}

function initiativePopup(properties, id) {
  const box = element("div", null, "popup");
  const title = element("h3");
  title.append(link(properties.name, `/initiatives/${id}/`));
  box.append(title, element("p", properties.short_description));
  const themes = (properties.themes || []).map((v) => labels.themes[v] || v).join(", ");
  if (themes) box.append(element("p", themes, "themes"));
  if (properties.needs && properties.needs.length) {
    const needs = properties.needs.map((v) => labels.needs[v] || v).join(", ");
    box.append(element("p", interpolate(gettext("Asks for: %s"), [needs])));
  }
  return box;
}

async function fetchInitiatives(query) {
  let url = `${mapElement.dataset.initiatives}?page_size=1000${query ? `&${query}` : ""}`;
  const features = [];
  while (url) {
    const page = await getJson(url);
    features.push(...page.features);
    url = page.next;
  }
  return features;
}

async function loadInitiatives() {
  const params = new URLSearchParams(new FormData(form));
  const since = Number(params.get("since")) || null;
  const until = Number(params.get("until")) || null;
  const query = new URLSearchParams();
  for (const name of ["theme", "actor_type", "collaboration_mode"]) {
    for (const value of params.getAll(name)) query.append(name, value);
  }
  say("initiatives", gettext("Loading the initiatives…"));
  try {
    const features = (await fetchInitiatives(query.toString())).filter((f) =>
      inPeriod(f.properties, since, until),
    );
    drawInitiatives(features);
    say("initiatives", count(ngettext("%s initiative on the map.", "%s initiatives on the map.", features.length), features.length));
    mapElement.dataset.loaded = String(features.length);
  } catch (error) {
    say("initiatives", gettext("The initiatives could not be loaded. The tables below still work."));
  }
}

function drawInitiatives(features) {
  layers.initiatives.clearLayers();
  layers.asking.clearLayers();
  const markers = [];
  for (const feature of features) {
    const [lon, lat] = feature.geometry.coordinates;
    const id = feature.id ?? feature.properties.id;
    const name = feature.properties.name;
    const marker = L.marker([lat, lon], { title: name, alt: name });
    marker.bindPopup(() => initiativePopup(feature.properties, id));
    markers.push(marker);
    if (feature.properties.needs && feature.properties.needs.length) {
      const asking = L.circleMarker([lat, lon], {
        radius: 8, color: "#1d2327", weight: 2, fillColor: "#d4a017", fillOpacity: 0.9,
      });
      asking.bindPopup(() => initiativePopup(feature.properties, id));
      layers.asking.addLayer(asking);
    }
  }
  layers.initiatives.addLayers(markers);
}

// Gaps, white zones, clusters ---------------------------------------------------------------

function rateClass(rate, breaks) {
  let index = 0;
  while (index < breaks.length && rate > breaks[index]) index += 1;
  return index;
}

function quantileBreaks(values) {
  const sorted = values.filter((v) => v !== null && v !== undefined).sort((a, b) => a - b);
  if (!sorted.length) return [];
  return [0.2, 0.4, 0.6, 0.8].map((q) => sorted[Math.floor(q * (sorted.length - 1))]);
}

function territoryUrl(code) {
  return mapElement.dataset.territoryUrl.replace("CODE", encodeURIComponent(code));
}

function gapPopup(properties) {
  const box = element("div", null, "popup");
  const title = element("h3");
  title.append(link(properties.name, territoryUrl(properties.code)));
  box.append(title);
  const rate = properties.smoothed_rate_per_10k;
  box.append(
    element(
      "p",
      rate === null || rate === undefined
        ? gettext("Population unknown.")
        : interpolate(gettext("%s initiatives per 10,000 inhabitants (smoothed)."), [decimalFormat.format(rate)]),
    ),
  );
  box.append(element("p", count(ngettext("%s active initiative.", "%s active initiatives.", properties.active_initiatives), properties.active_initiatives)));
  if (properties.white_zone) box.append(element("p", gettext("White zone: no initiative nearby.")));
  if (properties.reason) box.append(element("p", properties.reason));
  return box;
}

function drawGaps(collection) {
  for (const key of ["gaps", "white", "clusters"]) layers[key].clearLayers();
  const features = collection.features || [];
  const breaks = quantileBreaks(features.map((f) => f.properties.smoothed_rate_per_10k));
  const choropleth = L.geoJSON(collection, {
    style: (feature) => {
      const rate = feature.properties.smoothed_rate_per_10k;
      const colour = rate === null || rate === undefined ? "#cccccc" : RATE_COLOURS[rateClass(rate, breaks)];
      return { color: "#4a5560", weight: 0.6, fillColor: colour, fillOpacity: 0.6 };
    },
    onEachFeature: (feature, layer) => layer.bindPopup(() => gapPopup(feature.properties)),
  });
  layers.gaps.addLayer(choropleth);
  layers.white.addLayer(
    L.geoJSON(collection, {
      filter: (feature) => feature.properties.white_zone,
      style: { color: "#1d2327", weight: 2, dashArray: "2 4", fillColor: "#ffffff", fillOpacity: 0.8 },
      onEachFeature: (feature, layer) => layer.bindPopup(() => gapPopup(feature.properties)),
    }),
  );
  layers.clusters.addLayer(
    L.geoJSON(collection, {
      filter: (feature) => ["high", "low"].includes(feature.properties.cluster),
      style: (feature) =>
        feature.properties.cluster === "high"
          ? { color: "#5b2a86", weight: 4, fill: false }
          : { color: "#7a4a00", weight: 3, dashArray: "6 4", fill: false },
      onEachFeature: (feature, layer) => layer.bindPopup(() => gapPopup(feature.properties)),
    }),
  );
  const white = features.filter((f) => f.properties.white_zone).length;
  const clustered = features.filter((f) => ["high", "low"].includes(f.properties.cluster)).length;
  const parts = [
    count(ngettext("%s territory compared.", "%s territories compared.", features.length), features.length),
    count(ngettext("%s white zone.", "%s white zones.", white), white),
    count(ngettext("%s significant cluster.", "%s significant clusters.", clustered), clustered),
  ];
  if (!white || !clustered) parts.push(gettext("Why a layer is empty is said under the layer switches."));
  return parts.join(" ");
}

// One chosen theme, actor type or mode narrows the gap analysis to those initiatives (rates,
// nearest distances, white zones); several chosen ones leave it on all initiatives.
const GAP_FILTERS = ["theme", "actor_type", "collaboration_mode"];
const GAP_THRESHOLDS = ["min_population", "radius_km"];

function gapQuery() {
  const data = new FormData(form);
  const params = new URLSearchParams({ level: form.elements.level ? form.elements.level.value : "epci" });
  for (const name of GAP_THRESHOLDS) {
    const input = form.elements[name];
    if (input && input.value && input.checkValidity()) params.set(name, input.value);
  }
  for (const name of GAP_FILTERS) {
    const values = data.getAll(name);
    if (values.length === 1) params.set(name, values[0]);
  }
  return params;
}

// Answers may come back out of order when filters change quickly: only the latest is drawn.
let gapRequest = 0;
let tableRequest = 0;

async function loadGaps() {
  const params = gapQuery();
  const request = ++gapRequest;
  try {
    const collection = await getJson(`${mapElement.dataset.gaps}?${params}`);
    if (request !== gapRequest) return;
    const narrowed = GAP_FILTERS.some((name) => params.has(name));
    const note = narrowed ? ` ${gettext("The gap layers count only the chosen kind of initiative.")}` : "";
    say("gaps", drawGaps(collection) + note);
  } catch (error) {
    say("gaps", gettext("The gap analysis is not available."));
  }
}

// Emerging movements ------------------------------------------------------------------------

function emergingPopup(properties) {
  const box = element("div", null, "popup");
  box.append(element("p", properties.summary));
  const list = element("ul");
  for (const initiative of properties.initiatives || []) {
    const item = element("li");
    item.append(link(initiative.name, `/initiatives/${initiative.id}/`));
    list.append(item);
  }
  box.append(list);
  return box;
}

async function loadEmerging() {
  layers.emerging.clearLayers();
  try {
    const collection = await getJson(mapElement.dataset.emerging);
    layers.emerging.addLayer(
      L.geoJSON(collection, {
        style: { color: "#b30000", weight: 2, fillColor: "#b30000", fillOpacity: 0.15 },
        onEachFeature: (feature, layer) => layer.bindPopup(() => emergingPopup(feature.properties)),
      }),
    );
    const movements = (collection.features || []).length;
    say("emerging", count(ngettext("%s emerging movement.", "%s emerging movements.", movements), movements));
  } catch (error) {
    say("emerging", gettext("The emerging movements are not available."));
  }
}

// Layer switches, filters, tables -----------------------------------------------------------

// Hot-spot trends ------------------------------------------------------------------------------

function trendPopup(properties) {
  const box = element("div", null, "popup");
  const title = element("h3");
  title.append(link(properties.name, territoryUrl(properties.code)));
  box.append(title);
  box.append(element("p", properties.pattern_label));
  if (properties.significant_years && properties.significant_years.length) {
    const years = properties.significant_years.join(", ");
    box.append(element("p", interpolate(gettext("Significant years: %s."), [years])));
  }
  return box;
}

async function loadTrends() {
  layers.trends.clearLayers();
  const level = form.elements.level ? form.elements.level.value : "epci";
  try {
    const collection = await getJson(`${mapElement.dataset.trends}?level=${encodeURIComponent(level)}`);
    const patterned = (collection.features || []).filter((f) => f.properties.pattern !== "no_pattern");
    layers.trends.addLayer(
      L.geoJSON(
        { type: "FeatureCollection", features: patterned },
        {
          // Hot patterns in red, cold in blue, with a dotted outline so colour is not needed.
          style: (feature) => {
            const hot = feature.properties.pattern.endsWith("hot_spot");
            const colour = hot ? "#b30000" : "#08519c";
            return { color: colour, weight: 3, dashArray: "1 5", fillColor: colour, fillOpacity: 0.25 };
          },
          onEachFeature: (feature, layer) => layer.bindPopup(() => trendPopup(feature.properties)),
        },
      ),
    );
    say(
      "trends",
      count(ngettext("%s territory with a hot-spot trend.", "%s territories with a hot-spot trend.", patterned.length), patterned.length),
    );
  } catch (error) {
    say("trends", gettext("The hot-spot trends are not available."));
  }
}

function syncLayers() {
  for (const input of document.querySelectorAll("#layers input[type=checkbox]")) {
    const layer = layers[input.value];
    if (input.checked && !map.hasLayer(layer)) map.addLayer(layer);
    if (!input.checked && map.hasLayer(layer)) map.removeLayer(layer);
  }
}

function cellValue(row, index, numeric) {
  const text = row.cells[index] ? row.cells[index].textContent.trim() : "";
  if (!numeric) return text;
  const number = parseFloat(text.replace(/\s/g, "").replace(",", "."));
  return Number.isNaN(number) ? -Infinity : number;
}

function sortBy(table, header, index) {
  const ascending = header.getAttribute("aria-sort") !== "ascending";
  for (const other of table.tHead.rows[0].cells) other.removeAttribute("aria-sort");
  header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  const numeric = header.dataset.type === "number";
  const body = table.tBodies[0];
  const rows = Array.from(body.rows).filter((row) => row.cells.length > 1);
  const collator = new Intl.Collator(document.documentElement.lang, { numeric: true });
  rows.sort((a, b) => {
    const x = cellValue(a, index, numeric);
    const y = cellValue(b, index, numeric);
    const order = numeric ? x - y : collator.compare(x, y);
    return ascending ? order : -order;
  });
  body.append(...rows);
}

function makeSortable(root) {
  for (const table of root.querySelectorAll("table.sortable")) {
    Array.from(table.tHead.rows[0].cells).forEach((header, index) => {
      if (header.querySelector("button") || "nosort" in header.dataset) return;
      const button = element("button", header.textContent.trim(), "sort");
      button.type = "button";
      header.textContent = "";
      header.append(button);
      button.addEventListener("click", () => sortBy(table, header, index));
    });
  }
}

function filterQuery() {
  return new URLSearchParams(new FormData(form)).toString();
}

async function refreshTables(query) {
  const request = ++tableRequest;
  const response = await fetch(`${form.action}?${query}`, { headers: { Accept: "text/html" } });
  if (!response.ok) throw new Error(String(response.status));
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  if (request !== tableRequest) return;
  const fresh = page.getElementById("radar-tables");
  document.getElementById("radar-tables").replaceWith(fresh);
  const notes = page.getElementById("layer-notes");
  if (notes) document.getElementById("layer-notes").replaceWith(notes);
  makeSortable(fresh);
}

async function applyFilters(event) {
  const query = filterQuery();
  history.replaceState(null, "", query ? `?${query}` : form.action);
  const work = [loadInitiatives(), refreshTables(query).catch(() => undefined)];
  // A submitted form (Enter, or the button) recomputes everything; a changed field what it feeds.
  const everything = !event || event.type === "submit";
  const name = event && event.target ? event.target.name : "";
  if (everything || name === "level" || GAP_FILTERS.includes(name) || GAP_THRESHOLDS.includes(name)) {
    work.push(loadGaps());
  }
  if (everything || name === "level") work.push(loadTrends());
  await Promise.all(work);
}

document.getElementById("layers").addEventListener("change", syncLayers);
form.addEventListener("change", applyFilters);
form.addEventListener("submit", (event) => {
  event.preventDefault();
  applyFilters(event);
});
makeSortable(document);
syncLayers();
Promise.all([loadGaps(), loadEmerging(), loadInitiatives(), loadTrends()]).then(() => {
  mapElement.dataset.ready = "true";
});
