// The maps' shared set-up: one Leaflet map per page, centred on the served territory (its
// bounds come from the server, in the #map-config JSON), controls in the page's language,
// background tiles, the project's own basemap when those tiles cannot load, and layers that
// load the project's versioned tiles for what is in view only.
// Every text built here uses textContent, never innerHTML: initiative texts are untrusted.
const { gettext, ngettext, interpolate } = window;

const config = JSON.parse(document.getElementById("map-config").textContent);
const language = document.documentElement.lang || "fr";
const numberFormat = new Intl.NumberFormat(language);
// The project's tiles are 256 units wide and drawn on 512 pixels: a quarter of the requests.
const TILE_SIZE = 512;
const MAX_MEMBERS_ZOOM = 17;
// Drawing and removing markers and shapes runs in slices of at most this many milliseconds,
// each its own task: no long task (over 50 ms, let alone 100) while zooming or panning, and
// the page answers keys and clicks between two slices.
const SLICE_MS = 8;

export function formatNumber(value, options) {
  return options ? new Intl.NumberFormat(language, options).format(value) : numberFormat.format(value);
}

// `text` comes from ngettext (so that the catalogue extracts it); the count is formatted in
// the page's language.
export function countText(text, count) {
  return interpolate(text, [formatNumber(count)]);
}

export function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null && text !== "") node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

export function link(text, href) {
  const anchor = element("a", text);
  anchor.href = href;
  return anchor;
}

async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(String(response.status));
  return response.json();
}

function tileUrl(template, coords, values = {}) {
  // A 512-pixel tile at map zoom z is the 256-unit tile at zoom z - 1.
  let url = template
    .replace("{z}", String(coords.z - 1))
    .replace("{x}", String(coords.x))
    .replace("{y}", String(coords.y));
  for (const [name, value] of Object.entries(values)) url = url.replace(`{${name}}`, value);
  return url;
}

// Work in slices ------------------------------------------------------------------------------

// One queue for the whole page: each job is a list of items and what to do with each; a task
// runs items (of one job after another) for SLICE_MS at most, then gives the browser its turn.
const jobs = [];
let running = false;
const nextTask =
  window.scheduler && typeof window.scheduler.postTask === "function"
    ? (callback) => window.scheduler.postTask(callback, { priority: "user-visible" })
    : (callback) => window.setTimeout(callback, 0);

function runSlice() {
  const started = performance.now();
  while (jobs.length && performance.now() - started < SLICE_MS) {
    const job = jobs[0];
    if (job.cancelled) {
      jobs.shift();
      continue;
    }
    const index = job.next;
    job.next += 1;
    try {
      job.each(job.items[index], index);
    } catch (error) {
      // One item that fails (a malformed feature) stops neither its job nor the others.
      window.reportError(error);
    }
    if (job.next >= job.items.length) {
      jobs.shift();
      job.finish();
    }
  }
  if (jobs.length) nextTask(runSlice);
  else running = false;
}

// Calls each(item, index) for every item, a slice at a time; returns { done, cancel } where
// done is a promise settled once every item is done (or the job is cancelled).
export function inSlices(items, each) {
  let finish;
  const done = new Promise((resolve) => {
    finish = resolve;
  });
  const job = { items, each, next: 0, cancelled: false, finish };
  if (!items.length) {
    finish();
    return { done, cancel: () => {} };
  }
  jobs.push(job);
  if (!running) {
    running = true;
    nextTask(runSlice);
  }
  return {
    done,
    cancel: () => {
      if (job.cancelled) return;
      job.cancelled = true;
      finish();
    },
  };
}

// A layer that loads one JSON document per tile in view and draws it; what a tile drew goes
// when the tile goes (Leaflet's grid decides which tiles are in view, and prunes the others).
// `draw(data, coords)` returns { count, done, release }: `done` settles once everything is
// drawn (the tile then counts as loaded), `release()` takes it all away again.
export const JsonTiles = L.GridLayer.extend({
  // updateWhenIdle: the tiles are asked for once a pan ends, not every 200 ms of a drag.
  options: {
    tileSize: TILE_SIZE,
    minZoom: 1,
    maxZoom: 19,
    updateWhenZooming: false,
    updateWhenIdle: true,
    keepBuffer: 1,
  },

  initialize(options) {
    L.GridLayer.prototype.initialize.call(this, options);
    this._drawn = new Map();
    this.on("tileunload", (event) => this._undraw(this._tileCoordsToKey(event.coords)));
  },

  // Leaflet's own (1.9), less one line: reading the new level's offsetWidth, which forces a
  // layout of the whole page in the zoom's animation frame to start the level's CSS
  // transition. These tiles are empty (what they draw goes in the marker or overlay panes):
  // there is nothing to animate, and one forced layout per layer was most of that frame.
  _updateLevels() {
    const zoom = this._tileZoom;
    const { maxZoom } = this.options;
    if (zoom === undefined) return undefined;
    for (const key of Object.keys(this._levels)) {
      const z = Number(key);
      if (this._levels[z].el.children.length || z === zoom) {
        this._levels[z].el.style.zIndex = maxZoom - Math.abs(zoom - z);
        this._onUpdateLevel(z);
      } else {
        L.DomUtil.remove(this._levels[z].el);
        this._removeTilesAtZoom(z);
        this._onRemoveLevel(z);
        delete this._levels[z];
      }
    }
    let level = this._levels[zoom];
    if (!level) {
      const map = this._map;
      level = { zoom };
      this._levels[zoom] = level;
      level.el = L.DomUtil.create("div", "leaflet-tile-container leaflet-zoom-animated", this._container);
      level.el.style.zIndex = maxZoom;
      level.origin = map.project(map.unproject(map.getPixelOrigin()), zoom).round();
      this._setZoomTransform(level, map.getCenter(), map.getZoom());
      this._onCreateLevel(level);
    }
    this._level = level;
    return level;
  },

  _current(key, tile) {
    return Boolean(this._map && this._tiles[key] && this._tiles[key].el === tile);
  },

  createTile(coords, done) {
    const tile = document.createElement("div");
    const key = this._tileCoordsToKey(coords);
    // The request starts in a task of its own: the zoom's animation frame, which creates
    // the new zoom's tiles, stays short.
    window.setTimeout(() => {
      const url = this._current(key, tile) ? this.options.urlFor(coords) : null;
      if (!url) {
        done(null, tile);
        return;
      }
      getJson(url)
        .then((data) => {
          if (!this._current(key, tile)) return done(null, tile);
          this._undraw(key);
          const drawn = this.options.draw(data, coords);
          this._drawn.set(key, { z: coords.z, ...drawn });
          return drawn.done.then(() => done(null, tile));
        })
        .catch((error) => done(error, tile));
    }, 0);
    return tile;
  },

  _undraw(key) {
    const drawn = this._drawn.get(key);
    if (!drawn) return;
    drawn.release();
    this._drawn.delete(key);
  },

  // What the tiles of the current zoom drew (e.g. the number of initiatives).
  drawnAtCurrentZoom() {
    const zoom = this._tileZoom;
    return [...this._drawn.values()].filter((drawn) => drawn.z === zoom);
  },

  onRemove(map) {
    for (const key of [...this._drawn.keys()]) this._undraw(key);
    L.GridLayer.prototype.onRemove.call(this, map);
  },
});

// Initiatives ---------------------------------------------------------------------------------

// Cluster markers: a button with the number of initiatives, named for screen readers; Enter or
// a click zooms on them, or lists them when they cannot be told apart any more. The icon's
// content is built as elements, not parsed from HTML (cheaper, for hundreds of markers).
function clusterIcon(count) {
  const size = count < 10 ? 30 : count < 100 ? 36 : count < 1000 ? 42 : 50;
  const className = count < 10 ? "small" : count < 100 ? "medium" : "large";
  const content = element("div");
  content.append(element("span", formatNumber(count)));
  return L.divIcon({
    html: content,
    className: `marker-cluster marker-cluster-${className}`,
    iconSize: L.point(size, size),
  });
}

const defaultLink = (initiative) => link(initiative.name, `/initiatives/${initiative.id}/`);

// Options: group (a layer group the markers go in), popup(initiative) (an initiative's popup),
// query() (the filters, as a query string), iconFor(initiative) (a single initiative's icon),
// linkTo(initiative) (a link to an initiative, in the list of a cluster's members).
export function initiativeLayer(options) {
  const { group, popup, query = () => "", iconFor, linkTo = defaultLink } = options;
  const layer = new JsonTiles({
    urlFor: (coords) => {
      const search = query();
      return tileUrl(config.initiatives, coords) + (search ? `?${search}` : "");
    },
    draw: (collection) => drawInitiatives(collection, { group, popup, iconFor, linkTo }),
    pane: "tilePane",
  });
  layer.total = () => layer.drawnAtCurrentZoom().reduce((sum, drawn) => sum + drawn.count, 0);
  return layer;
}

function membersPopup(members, popup, linkTo) {
  if (members.length === 1) return popup(members[0]);
  const box = element("div", null, "popup");
  box.append(element("p", countText(ngettext("%s initiative here:", "%s initiatives here:", members.length), members.length)));
  const list = element("ul");
  for (const member of members) {
    const item = element("li");
    item.append(linkTo(member));
    list.append(item);
  }
  box.append(list);
  return box;
}

function initiativeMarker(feature, { popup, iconFor, linkTo }) {
  const [lon, lat] = feature.geometry.coordinates;
  const properties = feature.properties;
  if (properties.count === 1 && properties.initiatives) {
    const initiative = properties.initiatives[0];
    const marker = L.marker([lat, lon], {
      title: initiative.name,
      alt: initiative.name,
      keyboard: true,
      ...(iconFor ? { icon: iconFor(initiative) } : {}),
    });
    marker.bindPopup(() => popup(initiative));
    return marker;
  }
  const label = countText(ngettext("%s initiative, zoom in", "%s initiatives, zoom in", properties.count), properties.count);
  const marker = L.marker([lat, lon], { icon: clusterIcon(properties.count), title: label, keyboard: true });
  marker.on("add", () => marker.getElement().setAttribute("aria-label", label));
  const open = () => {
    const [west, south, east, north] = properties.bbox;
    const map = marker._map;
    const bounds = L.latLngBounds([south, west], [north, east]);
    const tight = map.getBoundsZoom(bounds) >= MAX_MEMBERS_ZOOM || map.getZoom() >= MAX_MEMBERS_ZOOM;
    if (properties.initiatives && tight) {
      marker.bindPopup(() => membersPopup(properties.initiatives, popup, linkTo)).openPopup();
    } else {
      map.fitBounds(bounds.pad(0.2), { maxZoom: Math.max(map.getZoom() + 1, Math.min(map.getBoundsZoom(bounds), 18)) });
    }
  };
  marker.on("click", open);
  marker.on("keypress", (event) => {
    if (event.originalEvent.key === "Enter") open();
  });
  return marker;
}

// Hidden at once (out of sight, of the tab order and of screen readers), taken off the map a
// slice at a time.
function hide(marker) {
  if (marker._icon) marker._icon.style.visibility = "hidden";
  if (marker._shadow) marker._shadow.style.visibility = "hidden";
}

function drawInitiatives(collection, { group, ...how }) {
  const features = collection.features || [];
  const count = features.reduce((sum, feature) => sum + feature.properties.count, 0);
  const markers = [];
  const drawing = inSlices(features, (feature) => {
    const marker = initiativeMarker(feature, how);
    group.addLayer(marker);
    markers.push(marker);
  });
  const release = () => {
    drawing.cancel();
    markers.forEach(hide);
    inSlices(markers, (marker) => group.removeLayer(marker));
  };
  return { count, done: drawing.done, release };
}

// Territories (the basemap and the radar's choropleths) ----------------------------------------

// Territories of one level, per tile, unclipped: a territory met by several tiles is drawn
// once per zoom (counted references), so its outline has no seams. `draw` returns a layer
// (added to `group`), or, without a group, anything with a remove() method. Drawn and removed
// a slice at a time, so that a tile of communes never holds the page for long.
export function territoryLayer({ level, group, draw, minZoom = 1, maxNativeZoom = 19 }) {
  const shared = new Map();
  const unshare = (key) => {
    const entry = shared.get(key);
    if (entry && --entry.refs === 0) {
      if (group) group.removeLayer(entry.layer);
      entry.layer.remove();
      shared.delete(key);
    }
  };
  return new JsonTiles({
    minZoom,
    maxNativeZoom,
    urlFor: (coords) => tileUrl(config.territories, coords, { level }),
    draw: (collection, coords) => {
      const keys = [];
      const drawing = inSlices(collection.features || [], (feature) => {
        const key = `${coords.z}:${feature.properties.code}`;
        const entry = shared.get(key);
        if (entry) {
          entry.refs += 1;
        } else {
          const layer = draw(feature, coords.z);
          if (!layer) return;
          if (group) group.addLayer(layer);
          shared.set(key, { refs: 1, layer });
        }
        keys.push(key);
      });
      const release = () => {
        drawing.cancel();
        inSlices(keys, unshare);
      };
      return { done: drawing.done, release };
    },
  });
}

// The project's own basemap: the served territory's outline, the EPCI and the communes with
// their names, from the project's data. Drawn under the background tiles (hidden by them when
// they load), and loaded only once those tiles fail.
function addBasemap(map) {
  map.createPane("basemap");
  map.getPane("basemap").style.zIndex = 150;
  map.createPane("basemap-labels");
  map.getPane("basemap-labels").style.zIndex = 160;
  const group = L.layerGroup().addTo(map);
  const style = {
    commune: { color: "#6b7780", weight: 0.8, fill: false },
    epci: { color: "#3f4a52", weight: 1.8, fill: false },
    outline: { color: "#1d2327", weight: 3, fill: false },
  };
  // One canvas for every outline: hundreds of communes cost one element, not one each.
  const renderer = L.canvas({ pane: "basemap", padding: 0.3 });
  const polygons = (feature, options) => {
    map.getContainer().dataset.basemap = String(Number(map.getContainer().dataset.basemap || 0) + 1);
    return L.geoJSON(feature, { pane: "basemap", interactive: false, style: options, renderer });
  };
  const layers = [
    territoryLayer({
      level: "commune",
      group,
      minZoom: 9,
      maxNativeZoom: 12,
      draw: (feature, zoom) => {
        const layer = polygons(feature, style.commune);
        if (zoom >= 11) {
          const centre = layer.getBounds().getCenter();
          const label = L.tooltip({
            permanent: true,
            direction: "center",
            className: "commune-label",
            pane: "basemap-labels",
            interactive: false,
          }).setContent(element("span", feature.properties.name));
          label.setLatLng(centre);
          return L.featureGroup([layer, label]);
        }
        return layer;
      },
    }),
    territoryLayer({
      level: "epci",
      group,
      minZoom: 6,
      maxNativeZoom: 11,
      draw: (feature) => polygons(feature, style.epci),
    }),
    territoryLayer({
      level: config.served.level,
      group,
      maxNativeZoom: 10,
      draw: (feature) => (feature.properties.code === config.served.code ? polygons(feature, style.outline) : null),
    }),
  ];
  for (const layer of layers) layer.addTo(map);
  return layers;
}

// The map ---------------------------------------------------------------------------------------

// Options: announce(text) (tells what happens, e.g. in a role=status element), withBasemap
// (the project's own basemap when the background tiles fail), bounds ([west, south, east,
// north] to show first; the served territory's by default).
export function createMap(mapElement, { announce = () => {}, withBasemap = true, bounds = config.bounds } = {}) {
  const map = L.map(mapElement, { zoomControl: false, minZoom: 3 });
  L.control
    .zoom({ zoomInTitle: gettext("Zoom in"), zoomOutTitle: gettext("Zoom out"), position: "topleft" })
    .addTo(map);
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  map.on("popupopen", (event) => {
    const button = event.popup._closeButton;
    if (button) button.setAttribute("aria-label", gettext("Close popup"));
  });
  const [west, south, east, north] = bounds;
  map.fitBounds([
    [south, west],
    [north, east],
  ]);
  let basemap = null;
  const useBasemap = () => {
    if (withBasemap && !basemap) basemap = addBasemap(map);
  };
  if (config.tiles) {
    const tiles = L.tileLayer(config.tiles, { attribution: config.attribution, maxZoom: 19 });
    let failed = false;
    tiles.on("tileerror", () => {
      if (failed) return;
      failed = true;
      mapElement.classList.add("no-tiles");
      useBasemap();
      announce(gettext("The background map cannot be loaded: the map shows the communes' outlines instead."));
    });
    tiles.addTo(map);
  } else {
    useBasemap();
  }
  mapElement.dataset.configured = "true";
  return map;
}

export { config };
