// The framed map: the initiatives of the chosen territory and themes, from the project's tiles
// through the shared map module (same markers, reachable from the keyboard and named for screen
// readers). Every link opens the Territorial Radar outside the frame. Texts are set with
// textContent: initiative texts are untrusted.
import { countText, createMap, element, initiativeLayer } from "./radar-map.js";

const { gettext, ngettext } = window;
const mapElement = document.getElementById("map");
const statusElement = document.getElementById("map-status");
const labels = JSON.parse(document.getElementById("choice-labels").textContent);
const { query, site } = mapElement.dataset;
// The chosen territory's extent, when there is one: west, south, east, north.
const bounds = mapElement.dataset.bounds ? mapElement.dataset.bounds.split(",").map(Number) : undefined;

const messages = {};

function say(key, text) {
  messages[key] = text;
  statusElement.textContent = Object.values(messages).filter(Boolean).join(" ");
}

// A link to an initiative's page on the site, in a new tab (never inside the frame).
function linkOut(initiative) {
  const anchor = element("a", initiative.name);
  anchor.href = `${site}/initiatives/${initiative.id}/`;
  anchor.target = "_blank";
  anchor.rel = "noopener";
  return anchor;
}

function popupContent(initiative) {
  const box = element("div", null, "popup");
  const title = element("h3");
  title.append(linkOut(initiative));
  box.append(title);
  if (initiative.is_synthetic) box.append(element("span", gettext("fictional example"), "badge synthetic"));
  box.append(element("p", initiative.short_description));
  const themes = (initiative.themes || []).map((value) => labels.themes[value] || value).join(", ");
  if (themes) box.append(element("p", themes, "themes"));
  return box;
}

const map = createMap(mapElement, { announce: (text) => say("tiles", text), bounds });
const markers = L.layerGroup().addTo(map);
const initiatives = initiativeLayer({ group: markers, popup: popupContent, query: () => query, linkTo: linkOut });
initiatives.on("loading", () => say("initiatives", gettext("Loading the initiatives…")));
initiatives.on("load", () => {
  const total = initiatives.total();
  say("initiatives", countText(ngettext("%s initiative on the map.", "%s initiatives on the map.", total), total));
  mapElement.dataset.loaded = String(total);
});
initiatives.on("tileerror", () =>
  say("initiatives", gettext("The initiatives could not be loaded. The list below still works.")),
);
initiatives.addTo(map);
