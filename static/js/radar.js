// The radar: initiatives, gaps, white zones, clusters, emerging movements and support requests
// as switchable layers; filters update the map and the tables in place. The tables below the
// map are rendered by the server and carry the same information without JavaScript.
// Initiatives come from the project's tiles (only what is in view); the territories' shapes
// come once per level from the versioned territory tiles, and the figures (rates, white zones,
// clusters, trends) separately, so that a filter moves kilobytes, not the shapes again.
// Popups are built with textContent, never innerHTML: initiative texts are untrusted.
import {
  countText,
  createMap,
  element,
  formatNumber,
  initiativeLayer,
  link,
  territoryLayer,
} from "./radar-map.js";

const { gettext, interpolate, ngettext } = window;
const mapElement = document.getElementById("radar-map");
const statusElement = document.getElementById("radar-status");
const form = document.getElementById("radar-filters");
const labels = JSON.parse(document.getElementById("radar-labels").textContent);
const RATE_COLOURS = ["#f7fcf5", "#c7e9c0", "#74c476", "#31a354", "#006d2c"];
const messages = {};

function announce() {
  statusElement.textContent = Object.values(messages).filter(Boolean).join(" ");
}

function say(key, text) {
  messages[key] = text;
  announce();
}

const map = createMap(mapElement, { announce: (text) => say("tiles", text), withBasemap: false });

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
  if (!response.ok || response.status === 202) {
    const error = new Error(String(response.status));
    // 422: the analysis is impossible on these data; the server says why, in words.
    if (response.status === 422) error.detail = (await response.json()).detail;
    throw error;
  }
  return response.json();
}

// Initiatives ---------------------------------------------------------------------------------

function initiativePopup(initiative) {
  const box = element("div", null, "popup");
  const title = element("h3");
  title.append(link(initiative.name, `/initiatives/${initiative.id}/`));
  box.append(title, element("p", initiative.short_description));
  const themes = (initiative.themes || []).map((v) => labels.themes[v] || v).join(", ");
  if (themes) box.append(element("p", themes, "themes"));
  if (initiative.needs && initiative.needs.length) {
    const needs = initiative.needs.map((v) => labels.needs[v] || v).join(", ");
    box.append(element("p", interpolate(gettext("Asks for: %s"), [needs])));
  }
  return box;
}

const INITIATIVE_FILTERS = ["theme", "actor_type", "collaboration_mode", "since", "until"];

function initiativeQuery(extra = {}) {
  const data = new FormData(form);
  const query = new URLSearchParams(extra);
  for (const name of INITIATIVE_FILTERS) {
    for (const value of data.getAll(name)) if (value) query.append(name, value);
  }
  return query.toString();
}

const askingIcon = () =>
  L.divIcon({ className: "asking-marker", html: "<span></span>", iconSize: L.point(18, 18) });

// The tiles' query strings, read from the form when it changes (not once per tile).
const searches = {};
function readSearches() {
  searches.initiatives = initiativeQuery();
  searches.asking = initiativeQuery({ asking: "true" });
}
readSearches();
const markers = { initiatives: L.layerGroup(), asking: L.layerGroup() };
const initiatives = initiativeLayer({
  group: markers.initiatives,
  popup: initiativePopup,
  query: () => searches.initiatives,
});
const asking = initiativeLayer({
  group: markers.asking,
  popup: initiativePopup,
  query: () => searches.asking,
  iconFor: askingIcon,
});
let initiativesReady;
const initiativesLoaded = new Promise((resolve) => {
  initiativesReady = resolve;
});
initiatives.on("loading", () => say("initiatives", gettext("Loading the initiatives…")));
initiatives.on("load", () => {
  const total = initiatives.total();
  say("initiatives", countText(ngettext("%s initiative on the map.", "%s initiatives on the map.", total), total));
  mapElement.dataset.loaded = String(total);
  initiativesReady();
});
initiatives.on("tileerror", () => {
  say("initiatives", gettext("The initiatives could not be loaded. The tables below still work."));
  initiativesReady();
});
asking.on("load", () => {
  const total = asking.total();
  say("asking", countText(ngettext("%s initiative asking for support.", "%s initiatives asking for support.", total), total));
});

// Gaps, white zones, clusters, trends: shapes from the territory tiles, figures by code ---------

const groups = {
  gaps: L.layerGroup(),
  white: L.layerGroup(),
  clusters: L.layerGroup(),
  trends: L.layerGroup(),
  emerging: L.layerGroup(),
};
const figures = { gaps: new Map(), trends: new Map(), breaks: [] };
let shapes = null;
let shapesLevel = null;

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
        : interpolate(gettext("%s initiatives per 10,000 inhabitants (smoothed)."), [
            formatNumber(rate, { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
          ]),
    ),
  );
  box.append(
    element(
      "p",
      countText(ngettext("%s active initiative.", "%s active initiatives.", properties.active_initiatives), properties.active_initiatives),
    ),
  );
  if (properties.white_zone) box.append(element("p", gettext("White zone: no initiative nearby.")));
  if (properties.reason) box.append(element("p", properties.reason));
  return box;
}

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

// One territory's shapes in each layer its figures call for.
function drawTerritory(feature) {
  const code = feature.properties.code;
  const parts = [];
  const add = (group, style, popup) => {
    const layer = L.geoJSON(feature, { style });
    layer.bindPopup(popup);
    group.addLayer(layer);
    parts.push([group, layer]);
  };
  const gap = figures.gaps.get(code);
  if (gap) {
    const rate = gap.smoothed_rate_per_10k;
    const colour =
      rate === null || rate === undefined ? "#cccccc" : RATE_COLOURS[rateClass(rate, figures.breaks)];
    add(groups.gaps, { color: "#4a5560", weight: 0.6, fillColor: colour, fillOpacity: 0.6 }, () =>
      gapPopup(gap),
    );
    if (gap.white_zone) {
      add(
        groups.white,
        { color: "#1d2327", weight: 2, dashArray: "2 4", fillColor: "#ffffff", fillOpacity: 0.8 },
        () => gapPopup(gap),
      );
    }
    if (gap.cluster === "high" || gap.cluster === "low") {
      const style =
        gap.cluster === "high"
          ? { color: "#5b2a86", weight: 4, fill: false }
          : { color: "#7a4a00", weight: 3, dashArray: "6 4", fill: false };
      add(groups.clusters, style, () => gapPopup(gap));
    }
  }
  const trend = figures.trends.get(code);
  if (trend && trend.pattern !== "no_pattern") {
    // Hot patterns in red, cold in blue, with a dotted outline so colour is not needed.
    const colour = trend.pattern.endsWith("hot_spot") ? "#b30000" : "#08519c";
    add(
      groups.trends,
      { color: colour, weight: 3, dashArray: "1 5", fillColor: colour, fillOpacity: 0.25 },
      () => trendPopup(trend),
    );
  }
  return { remove: () => parts.forEach(([group, layer]) => group.removeLayer(layer)) };
}

function currentLevel() {
  return form.elements.level ? form.elements.level.value : "epci";
}

function redrawShapes() {
  const level = currentLevel();
  if (shapes && shapesLevel === level) {
    shapes.redraw(); // the tiles come from the browser's cache: their URLs are versioned
    return;
  }
  if (shapes) shapes.remove();
  shapesLevel = level;
  shapes = territoryLayer({ level, draw: drawTerritory }).addTo(map);
}

// One chosen theme, actor type or mode narrows the gap analysis to those initiatives (rates,
// nearest distances, white zones); several chosen ones leave it on all initiatives.
const GAP_FILTERS = ["theme", "actor_type", "collaboration_mode"];
// The white zones' thresholds, set in the filters (the server's defaults when blank).
const GAP_THRESHOLDS = ["min_population", "radius_km"];

function gapQuery() {
  const data = new FormData(form);
  const params = new URLSearchParams({ level: currentLevel(), geometry: "false" });
  for (const name of GAP_FILTERS) {
    const values = data.getAll(name);
    if (values.length === 1) params.set(name, values[0]);
  }
  for (const name of GAP_THRESHOLDS) {
    const input = form.elements[name];
    if (input && input.value && input.checkValidity()) params.set(name, input.value);
  }
  return params;
}

async function loadGaps() {
  const params = gapQuery();
  try {
    const collection = await getJson(`${mapElement.dataset.gaps}?${params}`);
    const rows = (collection.features || []).map((f) => f.properties);
    figures.gaps = new Map(rows.map((row) => [row.code, row]));
    figures.breaks = quantileBreaks(rows.map((row) => row.smoothed_rate_per_10k));
    const white = rows.filter((row) => row.white_zone).length;
    const narrowed = GAP_FILTERS.some((name) => params.has(name));
    const note = narrowed ? ` ${gettext("The gap layers count only the chosen kind of initiative.")}` : "";
    const compared = countText(
      ngettext("%s territory compared,", "%s territories compared,", rows.length),
      rows.length,
    );
    const whiteZones = countText(ngettext("%s white zone.", "%s white zones.", white), white);
    say("gaps", `${compared} ${whiteZones}${note}`);
  } catch (error) {
    figures.gaps = new Map();
    say("gaps", error.detail || gettext("The gap analysis is not available."));
  }
}

async function loadTrends() {
  try {
    const collection = await getJson(
      `${mapElement.dataset.trends}?level=${encodeURIComponent(currentLevel())}&geometry=false`,
    );
    const rows = (collection.features || []).map((f) => f.properties);
    figures.trends = new Map(rows.map((row) => [row.code, row]));
    const patterned = rows.filter((row) => row.pattern !== "no_pattern").length;
    say(
      "trends",
      countText(ngettext("%s territory with a hot-spot trend.", "%s territories with a hot-spot trend.", patterned), patterned),
    );
  } catch (error) {
    figures.trends = new Map();
    say("trends", error.detail || gettext("The hot-spot trends are not available."));
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
  groups.emerging.clearLayers();
  try {
    const collection = await getJson(mapElement.dataset.emerging);
    groups.emerging.addLayer(
      L.geoJSON(collection, {
        style: { color: "#b30000", weight: 2, fillColor: "#b30000", fillOpacity: 0.15 },
        onEachFeature: (feature, layer) => layer.bindPopup(() => emergingPopup(feature.properties)),
      }),
    );
    const count = (collection.features || []).length;
    say("emerging", countText(ngettext("%s emerging movement.", "%s emerging movements.", count), count));
  } catch (error) {
    say("emerging", error.detail || gettext("The emerging movements are not available."));
  }
}

// Layer switches, filters, tables -----------------------------------------------------------

const switches = {
  initiatives: [initiatives, markers.initiatives],
  asking: [asking, markers.asking],
  gaps: [groups.gaps],
  white: [groups.white],
  clusters: [groups.clusters],
  trends: [groups.trends],
  emerging: [groups.emerging],
};

function syncLayers() {
  for (const input of document.querySelectorAll("#layers input[type=checkbox]")) {
    for (const layer of switches[input.value] || []) {
      if (input.checked && !map.hasLayer(layer)) map.addLayer(layer);
      if (!input.checked && map.hasLayer(layer)) map.removeLayer(layer);
    }
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
  const response = await fetch(`${form.action}?${query}`, { headers: { Accept: "text/html" } });
  if (!response.ok) throw new Error(String(response.status));
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = page.getElementById("radar-tables");
  document.getElementById("radar-tables").replaceWith(fresh);
  const notes = page.getElementById("layer-notes");
  if (notes) document.getElementById("layer-notes").replaceWith(notes);
  makeSortable(fresh);
}

async function applyFilters(event) {
  const query = filterQuery();
  history.replaceState(null, "", query ? `?${query}` : form.action);
  readSearches();
  initiatives.redraw();
  if (map.hasLayer(asking)) asking.redraw();
  const work = [refreshTables(query).catch(() => undefined)];
  const name = event && event.target ? event.target.name : "";
  // A submitted form (Enter, or the button) recomputes everything; a changed field what it feeds.
  const everything = !event || event.type === "submit";
  const figuresWork = [];
  if (everything || name === "level" || GAP_FILTERS.includes(name) || GAP_THRESHOLDS.includes(name)) {
    figuresWork.push(loadGaps());
  }
  if (everything || name === "level") figuresWork.push(loadTrends());
  if (figuresWork.length) work.push(Promise.all(figuresWork).then(redrawShapes));
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
Promise.all([
  Promise.all([loadGaps(), loadTrends()]).then(redrawShapes),
  loadEmerging(),
  initiativesLoaded,
]).then(() => {
  mapElement.dataset.ready = "true";
});
