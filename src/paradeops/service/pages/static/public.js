// The public tracker: the route on a map (MapLibre, vendored), where the parade is,
// and for a spot the spectator picks the ETAs of the head, the tail and each unit.
// Everything comes from /api/public/plans/N/... (no sign-in); the page works without
// the map (no WebGL) from its list of checkpoints.
import * as maplibregl from "/static/vendor/maplibre-gl/maplibre-gl.mjs";

const plan = document.body.dataset.plan;
const api = `/api/public/plans/${plan}`;
const $ = (id) => document.getElementById(id);
const state = { route: null, doc: null, spot: null, map: null, markers: {}, clock: null };
// Re-asked at most this often while the parade moves (the ranges change every few seconds).
const ETA_EVERY_MS = 10000;
let etaAsked = 0;

function mergePatch(target, patch) {
  // RFC 7396: objects merge, null deletes, anything else replaces.
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const out = target && typeof target === "object" && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function clockOf(tz) {
  const f = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: tz });
  return (iso) => (iso ? f.format(new Date(iso)) : "?");
}

function metres(m) {
  return `${Math.round(m).toLocaleString("en")} m`;
}

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  Object.assign(e, props);
  for (const c of children) e.append(c);
  return e;
}

// --- the route: metres along it <-> a point ------------------------------------------

function pointAt(m) {
  const { line, along_m: along } = state.route;
  let i = 1;
  while (i < along.length - 1 && along[i] < m) i++;
  const f = Math.max(0, Math.min(1, (m - along[i - 1]) / (along[i] - along[i - 1] || 1)));
  return [line[i - 1][0] + f * (line[i][0] - line[i - 1][0]), line[i - 1][1] + f * (line[i][1] - line[i - 1][1])];
}

function alongAt(lng, lat) {
  // Nearest point of the line in a local flat frame (a route is a few km): metres along it.
  const { line, along_m: along } = state.route;
  const k = Math.cos((lat * Math.PI) / 180);
  let best = { d: Infinity, m: 0 };
  for (let i = 1; i < line.length; i++) {
    const ax = (line[i - 1][0] - lng) * k, ay = line[i - 1][1] - lat;
    const bx = (line[i][0] - lng) * k, by = line[i][1] - lat;
    const dx = bx - ax, dy = by - ay;
    const t = Math.max(0, Math.min(1, -(ax * dx + ay * dy) / (dx * dx + dy * dy || 1e-30)));
    const px = ax + t * dx, py = ay + t * dy, d = px * px + py * py;
    if (d < best.d) best = { d, m: along[i - 1] + t * (along[i] - along[i - 1]) };
  }
  return Math.min(state.route.length_m, Math.max(0, best.m));
}

// --- the map ---------------------------------------------------------------------------

function style(tiles) {
  const sources = { route: { type: "geojson", data: { type: "LineString", coordinates: state.route.line } } };
  const layers = [{ id: "paper", type: "background", paint: { "background-color": "#f4f6f8" } }];
  if (tiles) {
    sources.tiles = { type: "raster", tiles: [tiles], tileSize: 256 };
    layers.push({ id: "tiles", type: "raster", source: "tiles" });
  }
  layers.push(
    { id: "route-casing", type: "line", source: "route", paint: { "line-color": "#ffffff", "line-width": 14 } },
    { id: "route", type: "line", source: "route", paint: { "line-color": "#0b4fb3", "line-width": 7 } },
  );
  return { version: 8, sources, layers };
}

function marker(kind, label, lonlat) {
  const node = el("div", { className: `marker ${kind}`, title: label });
  node.setAttribute("role", "img");
  node.setAttribute("aria-label", label);
  return new maplibregl.Marker({ element: node }).setLngLat(lonlat).addTo(state.map);
}

function initMap() {
  const line = state.route.line;
  const bounds = line.reduce((b, p) => b.extend(p), new maplibregl.LngLatBounds(line[0], line[0]));
  state.map = new maplibregl.Map({
    container: "map",
    style: style(document.body.dataset.tiles),
    bounds,
    fitBoundsOptions: { padding: 30 },
    attributionControl: false,
    dragRotate: false,
  });
  state.map.touchZoomRotate.disableRotation();
  for (const c of state.route.checkpoints) {
    marker(`checkpoint${c.reviewing ? " reviewing" : ""}`, `Checkpoint: ${c.name}`, c.lonlat);
  }
  state.map.on("click", (e) => {
    const m = alongAt(e.lngLat.lng, e.lngLat.lat);
    choose({ at_m: Math.round(m), label: `${metres(m)} along the route` });
  });
  if (!state.route.geometry) {
    $("map-note").hidden = false;
    $("map-note").textContent = "This parade has no map of its route: it is drawn as a straight line.";
  }
}

function place(key, kind, label, m) {
  if (!state.map) return;
  if (m === undefined || m === null) {
    state.markers[key]?.remove();
    delete state.markers[key];
  } else if (state.markers[key]) {
    state.markers[key].setLngLat(pointAt(m));
  } else {
    state.markers[key] = marker(kind, label, pointAt(m));
  }
}

// --- the snapshot ------------------------------------------------------------------------

function render() {
  const d = state.doc;
  $("title").textContent = d.name;
  document.title = `${d.name}: tracker`;
  const where =
    d.head_at_m === undefined
      ? "The parade has not stepped off yet, or has ended."
      : `The head is ${metres(d.head_at_m)} along the route, the tail ${metres(d.tail_at_m)}.`;
  $("now").textContent = `As of ${state.clock(d.updated)}. ${where}`;
  place("head", "head", "Head of the parade", d.head_at_m);
  place("tail", "tail", "Tail of the parade", d.tail_at_m);
  const box = $("incidents");
  const open = Object.values(d.incidents || {}).sort((a, b) => a.order - b.order);
  box.hidden = open.length === 0;
  box.replaceChildren(...open.map((i) => el("p", { className: "incident" }, i.text)));
  if (state.spot && Date.now() - etaAsked > ETA_EVERY_MS) askEta();
}

function listen() {
  const es = new EventSource(`${api}/events`);
  es.addEventListener("snapshot", (e) => {
    state.doc = JSON.parse(e.data);
    render();
  });
  es.addEventListener("delta", (e) => {
    state.doc = mergePatch(state.doc, JSON.parse(e.data));
    render();
  });
  es.addEventListener("closed", () => {
    es.close();
    $("now").textContent = "This parade is no longer shown publicly.";
  });
}

// --- a spot and its ETAs -----------------------------------------------------------------

function choose(spot) {
  state.spot = spot;
  if (spot.checkpoint === undefined) $("spot").value = "";
  place("spot", "spot", `Your spot: ${spot.label}`, null);
  const cp = state.route.checkpoints.find((c) => c.id === spot.checkpoint);
  place("spot", "spot", `Your spot: ${spot.label}`, cp ? cp.at_m : spot.at_m);
  askEta();
}

function range(r) {
  if (!r) return el("span", {}, "?");
  if (r.actual) return el("span", {}, `passed at ${state.clock(r.actual)}`);
  if (!r.p50) return el("span", {}, "not known");
  return el(
    "span",
    { className: "range" },
    `${state.clock(r.p10)} – ${state.clock(r.p90)} (likely `,
    el("b", {}, state.clock(r.p50)),
    ")",
  );
}

function unitList(units) {
  return el("ul", { className: "units" }, ...units.map((u) => el("li", {}, el("span", { className: "name" }, u.name), u.when)));
}

function showEta(e) {
  const names = state.doc ? state.doc.units : {};
  const name = (id) => names[id]?.name || id;
  const coming = e.units.filter((u) => !u.tail.actual);
  const passed = e.units.filter((u) => u.tail.actual);
  const summary = el(
    "dl",
    { className: "summary" },
    el("dt", {}, "Head"),
    el("dd", {}, range(e.parade.head)),
    el("dt", {}, "Tail"),
    el("dd", {}, range(e.parade.tail)),
  );
  const out = [el("h3", {}, `At ${state.spot.label}`), summary];
  out.push(el("h3", {}, `Coming (${coming.length})`));
  out.push(unitList(coming.map((u) => ({ name: name(u.id), when: range(u.head.actual ? u.tail : u.head) }))));
  out.push(el("h3", {}, `Passed (${passed.length})`));
  out.push(unitList(passed.map((u) => ({ name: name(u.id), when: range(u.tail) }))));
  $("eta").replaceChildren(...out);
}

async function askEta() {
  const spot = state.spot;
  etaAsked = Date.now();
  const q = spot.checkpoint !== undefined ? `checkpoint=${encodeURIComponent(spot.checkpoint)}` : `at_m=${spot.at_m}`;
  const r = await fetch(`${api}/eta?${q}`);
  if (spot !== state.spot) return; // another spot was chosen meanwhile
  if (!r.ok) {
    $("eta").replaceChildren(el("p", {}, `The times could not be worked out (${r.status}); try again.`));
    return;
  }
  showEta(await r.json());
}

// --- start -------------------------------------------------------------------------------

async function start() {
  const r = await fetch(`${api}/route`);
  if (!r.ok) {
    $("now").textContent = r.status === 404 ? "This parade is not shown publicly." : `The tracker could not load (${r.status}).`;
    $("map").hidden = true;
    return;
  }
  state.route = await r.json();
  state.clock = clockOf(state.route.timezone);
  const select = $("spot");
  for (const c of state.route.checkpoints) select.append(el("option", { value: c.id }, c.name));
  select.addEventListener("change", () => {
    const c = state.route.checkpoints.find((x) => x.id === select.value);
    if (c) choose({ checkpoint: c.id, label: c.name });
  });
  try {
    initMap();
  } catch (err) {
    // No WebGL (an old phone, a locked-down browser): the list still works.
    $("map").hidden = true;
    $("map-note").hidden = false;
    $("map-note").textContent = "The map cannot be shown on this device; choose your spot from the list.";
  }
  listen();
}

start();
