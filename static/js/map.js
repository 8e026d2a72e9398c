// The public map: published initiatives from the project's tiles (only what is in view, grouped
// per tile); filters update the map and the list in place. The list beside the map is the
// server's, paginated, and works without JavaScript.
import { countText, createMap, element, initiativeLayer, link } from "./radar-map.js";

const { gettext, ngettext } = window;
const mapElement = document.getElementById("map");
const statusElement = document.getElementById("map-status");
const form = document.getElementById("filters");
const labels = JSON.parse(document.getElementById("choice-labels").textContent);
const FRESHNESS_DAYS = 365;

const messages = {};

function say(key, text) {
  messages[key] = text;
  statusElement.textContent = Object.values(messages).filter(Boolean).join(" ");
}

const announce = (text) => say("initiatives", text);

function popupContent(initiative) {
  const box = element("div", null, "popup");
  const title = element("h3");
  title.append(link(initiative.name, `/initiatives/${initiative.id}/${window.location.search}`));
  box.append(title);
  if (initiative.is_synthetic) box.append(element("span", gettext("fictional example"), "badge synthetic"));
  const confirmed = initiative.confirmed_on ? new Date(initiative.confirmed_on) : null;
  if (confirmed && (Date.now() - confirmed.getTime()) / 86_400_000 > FRESHNESS_DAYS) {
    box.append(element("span", gettext("to be confirmed"), "badge stale"));
  }
  box.append(element("p", initiative.short_description));
  const themes = (initiative.themes || []).map((value) => labels.themes[value] || value).join(", ");
  if (themes) box.append(element("p", themes, "themes"));
  return box;
}

function filterQuery() {
  const params = new URLSearchParams();
  // Empty fields say nothing: sent as `q=`, they would be refused as empty parameters.
  for (const [name, value] of new FormData(form)) {
    if (name !== "page" && String(value).trim() !== "") params.append(name, value);
  }
  return params.toString();
}

let query = filterQuery();
const map = createMap(mapElement, { announce: (text) => say("tiles", text) });
const markers = L.layerGroup().addTo(map);
const initiatives = initiativeLayer({ group: markers, popup: popupContent, query: () => query });
initiatives.on("loading", () => announce(gettext("Loading the initiatives…")));
initiatives.on("load", () => {
  const total = initiatives.total();
  announce(countText(ngettext("%s initiative on the map.", "%s initiatives on the map.", total), total));
  mapElement.dataset.loaded = String(total);
});
initiatives.on("tileerror", () =>
  announce(gettext("The initiatives could not be loaded. The list below still works.")),
);
initiatives.addTo(map);

async function refreshList(search) {
  const response = await fetch(`${form.action}?${search}`, { headers: { Accept: "text/html" } });
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  document.getElementById("initiative-list").replaceWith(page.getElementById("initiative-list"));
}

async function applyFilters() {
  query = filterQuery();
  history.replaceState(null, "", query ? `?${query}` : form.action);
  initiatives.redraw();
  try {
    await refreshList(query);
  } catch (error) {
    announce(gettext("The list could not be updated. Reload the page to apply the filters."));
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
