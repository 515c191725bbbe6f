// The visual explorer: an entity's neighbourhood drawn with Cytoscape.js, built on POST /graphql only.
import cytoscape from "cytoscape";
import { ApiError, run } from "./api.js";
import { encode, parse, save } from "./state.js";
import { KINDS, STYLESHEET, words } from "./style.js";
import { renderEntity, renderRelation, renderTimeline } from "./panels.js";

const $ = (id) => document.getElementById(id);
const STARTERS = [
  ["org/anthropic", "Anthropic"],
  ["org/meta", "Meta"],
  ["org/caisi", "CAISI"],
  ["order/ai-model-review-order", "The June 2 executive order"],
];
const PARTIAL_DATE = /^\d{4}(-\d{2}(-\d{2})?)?$/;

let state = parse(window.location.search);
const data = { entities: new Map(), relations: new Map(), path: null, truncated: false };
const cy = cytoscape({
  container: $("graph"),
  style: STYLESHEET,
  minZoom: 0.2,
  maxZoom: 3,
});
// Tests and curious researchers can reach the live state from the console.
window.oversightExplorer = { cy, get state() { return state; }, data };

function status(text, kind = "") {
  const box = $("status");
  box.textContent = text;
  box.className = `status ${kind}`;
  box.hidden = !text;
}

function failed(error) {
  const message = error instanceof ApiError ? error.message : `could not reach the server (${error.message})`;
  status(`Error: ${message}`, "error");
}

function setState(changes, push = true) {
  state = { ...state, ...changes };
  save(state, push);
}

// ---- loading -----------------------------------------------------------------------------------

function mergeEntities(list) {
  for (const entity of list) data.entities.set(entity.key, entity);
}

function mergeRelations(list) {
  for (const relation of list) data.relations.set(relation.id, relation);
}

async function load() {
  document.body.dataset.busy = "true";
  try {
    await loadAll();
  } finally {
    document.body.dataset.busy = "false";
  }
}

async function loadAll() {
  data.entities.clear();
  data.relations.clear();
  data.path = null;
  data.truncated = false;
  const centres = state.focus ? [state.focus, ...state.expand.filter((k) => k !== state.focus)] : [];
  const asOf = state.asOf && PARTIAL_DATE.test(state.asOf) ? state.asOf : null;
  status(centres.length || state.from ? "Loading…" : "");
  try {
    const results = await Promise.all(centres.map((id) => run("neighborhood", { id, asOf })));
    results.forEach((result, index) => {
      if (!result.neighborhood) throw new ApiError([{ message: `nothing has the key ${centres[index]}` }]);
      mergeEntities(result.neighborhood.entities);
      mergeRelations(result.neighborhood.relations);
      data.truncated ||= result.neighborhood.truncated;
    });
    if (state.from && state.to) {
      const result = await run("path", { from: state.from, to: state.to, asOf });
      data.path = result.path ? result.path : { length: -1, entities: [], relations: [] };
      if (result.path) {
        mergeEntities(result.path.entities);
        mergeRelations(result.path.relations);
      }
    }
    status(data.truncated ? "The neighbourhood was cut at the server's entity limit." : "");
  } catch (error) {
    failed(error);
  }
  draw();
  drawTypes();
  drawPath();
  drawLegend();
  await Promise.all([showSelection(), showTimeline()]);
}

// ---- the graph ---------------------------------------------------------------------------------

function draw() {
  $("welcome").hidden = Boolean(state.focus || (state.from && state.to));
  const pathKeys = new Set((data.path?.entities || []).map((e) => e.key));
  const pathRelations = new Set((data.path?.relations || []).map((r) => r.id));
  const elements = [];
  for (const entity of data.entities.values()) {
    const classes = [];
    if (entity.key === state.focus) classes.push("focus");
    if (state.expand.includes(entity.key)) classes.push("expanded");
    if (pathKeys.has(entity.key)) classes.push("on-path");
    elements.push({ group: "nodes", data: { id: entity.key, name: entity.name, kind: entity.kind }, classes });
  }
  for (const relation of data.relations.values()) {
    if (!data.entities.has(relation.subject.key) || !data.entities.has(relation.object.key)) continue;
    elements.push({
      group: "edges",
      data: { id: relation.id, source: relation.subject.key, target: relation.object.key, type: relation.type },
      classes: pathRelations.has(relation.id) ? ["on-path"] : [],
    });
  }
  cy.elements().remove();
  cy.add(elements);
  applyFilter();
  const layout = cy.elements(":visible").layout({
    name: "cose",
    animate: false,
    randomize: false,
    nodeRepulsion: () => 9000,
    idealEdgeLength: () => 90,
    nodeDimensionsIncludeLabels: true,
    padding: 30,
  });
  // A deterministic start (a circle in key order) so that a shared link draws the same picture.
  const nodes = cy.nodes().sort((a, b) => (a.id() < b.id() ? -1 : 1));
  nodes.forEach((node, index) => {
    const angle = (2 * Math.PI * index) / Math.max(nodes.length, 1);
    node.position({ x: 300 * Math.cos(angle), y: 300 * Math.sin(angle) });
  });
  layout.run();
  cy.fit(cy.elements(":visible"), 40);
  if (state.sel) {
    const selected = cy.getElementById(state.sel.slice(2));
    if (selected.nonempty()) selected.select();
  }
}

function applyFilter() {
  const hidden = new Set(state.hide);
  cy.batch(() => {
    cy.elements().removeClass("filtered");
    cy.edges().forEach((edge) => {
      if (hidden.has(edge.data("type")) && !edge.hasClass("on-path")) edge.addClass("filtered");
    });
    // A node left with no visible relation goes too, unless it is a centre or on the path.
    const keep = new Set([state.focus, ...state.expand]);
    cy.nodes().forEach((node) => {
      const visible = node.connectedEdges().filter((e) => !e.hasClass("filtered"));
      if (!visible.length && !keep.has(node.id()) && !node.hasClass("on-path")) node.addClass("filtered");
    });
  });
}

// ---- side panel --------------------------------------------------------------------------------

function drawTypes() {
  const counts = new Map();
  for (const relation of data.relations.values()) counts.set(relation.type, (counts.get(relation.type) || 0) + 1);
  const list = $("types");
  list.replaceChildren();
  for (const [type, count] of [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) {
    const item = document.createElement("li");
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = type;
    box.checked = !state.hide.includes(type);
    box.addEventListener("change", () => {
      const hide = new Set(state.hide);
      if (box.checked) hide.delete(type);
      else hide.add(type);
      setState({ hide: [...hide].sort() });
      applyFilter();
    });
    const name = document.createElement("span");
    name.textContent = words(type);
    const number = document.createElement("span");
    number.className = "count";
    number.textContent = count;
    label.append(box, name, number);
    item.append(label);
    list.append(item);
  }
  if (!counts.size) list.innerHTML = '<li class="hint">No relations loaded yet.</li>';
}

function drawLegend() {
  const kinds = new Set([...data.entities.values()].map((e) => e.kind));
  const legend = $("legend");
  legend.replaceChildren();
  for (const [kind, look] of Object.entries(KINDS)) {
    if (!kinds.has(kind)) continue;
    const item = document.createElement("span");
    item.className = "kind";
    item.innerHTML = `<i style="background:${look.color}"></i>`;
    item.append(look.label);
    legend.append(item);
  }
}

function drawPath() {
  $("path-from").value = state.from || "";
  $("path-to").value = state.to || "";
  $("as-of").value = state.asOf || "";
  const steps = $("path-steps");
  steps.replaceChildren();
  if (!data.path) return;
  if (data.path.length < 0) {
    steps.innerHTML = '<li class="hint">No path within 8 steps (with the current as-of date).</li>';
    return;
  }
  const names = new Map(data.path.entities.map((e) => [e.key, e.name]));
  for (const relation of data.path.relations) {
    const item = document.createElement("li");
    const link = document.createElement("button");
    link.type = "button";
    link.className = "link";
    link.textContent = relation.summary;
    link.title = `${names.get(relation.subject.key)} ${words(relation.type)} ${names.get(relation.object.key)}`;
    link.addEventListener("click", () => select(`r:${relation.id}`));
    item.append(link);
    steps.append(item);
  }
}

// ---- details and timeline ----------------------------------------------------------------------

async function showSelection() {
  const panel = $("details");
  const selection = state.sel || (state.focus ? `e:${state.focus}` : null);
  if (!selection) {
    panel.innerHTML = '<p class="hint">Click a node or a relation to see its details and citations.</p>';
    return;
  }
  try {
    if (selection.startsWith("r:")) {
      const result = await run("relation", { id: selection.slice(2) });
      renderRelation(panel, result.node, { focus: focusOn });
    } else {
      const key = selection.slice(2);
      const result = await run("entity", { key });
      renderEntity(panel, result.entity, {
        expand: () => expand(key),
        focus: () => focusOn(key),
        pathFrom: () => setPathEnd("from", key),
        pathTo: () => setPathEnd("to", key),
        expanded: key === state.focus || state.expand.includes(key),
      });
    }
  } catch (error) {
    panel.innerHTML = "";
    failed(error);
  }
}

async function showTimeline() {
  const track = $("timeline");
  const centres = state.focus ? [state.focus, ...state.expand.filter((k) => k !== state.focus)] : [];
  const names = centres.map((key) => data.entities.get(key)?.name || key);
  $("timeline-title").textContent = centres.length ? `Timeline of ${names.join(", ")}` : "Timeline";
  if (!centres.length) {
    track.innerHTML = '<li class="hint">The timeline of the entity you search for appears here.</li>';
    return;
  }
  try {
    // One timeline per centre, merged: an event shared by two centres is shown once.
    const results = await Promise.all(centres.map((entity) => run("timeline", { entity })));
    const seen = new Set();
    const entries = [];
    for (const entry of results.flatMap((result) => result.timeline)) {
      const id = `${entry.date.iso}|${entry.boundary}|${entry.relation ? entry.relation.id : entry.entity.key}`;
      if (seen.has(id)) continue;
      seen.add(id);
      entries.push(entry);
    }
    entries.sort((a, b) => (a.date.iso < b.date.iso ? -1 : a.date.iso > b.date.iso ? 1 : 0));
    renderTimeline(track, entries, { asOf: state.asOf, select });
  } catch (error) {
    failed(error);
  }
}

// ---- actions -----------------------------------------------------------------------------------

function select(selection) {
  setState({ sel: selection }, false);
  cy.elements().unselect();
  const element = selection ? cy.getElementById(selection.slice(2)) : null;
  if (element && element.nonempty()) element.select();
  showSelection();
}

function focusOn(key) {
  setState({ focus: key, expand: [], sel: `e:${key}` });
  load();
}

function expand(key) {
  if (key === state.focus || state.expand.includes(key)) return;
  setState({ expand: [...state.expand, key], sel: `e:${key}` });
  load();
}

function setPathEnd(end, key) {
  setState({ [end]: key });
  drawPath();
  if (state.from && state.to) load();
}

// ---- wiring ------------------------------------------------------------------------------------

cy.on("tap", "node", (event) => select(`e:${event.target.id()}`));
cy.on("tap", "edge", (event) => select(`r:${event.target.id()}`));
cy.on("dbltap", "node", (event) => expand(event.target.id()));

let searchTimer = 0;
let searchSerial = 0;
async function search(text) {
  const serial = ++searchSerial;
  const list = $("search-results");
  if (!text.trim()) {
    list.hidden = true;
    return;
  }
  try {
    const result = await run("search", { text });
    if (serial !== searchSerial) return;
    list.replaceChildren();
    const names = $("entity-names");
    for (const hit of result.search) {
      const item = document.createElement("li");
      item.setAttribute("role", "option");
      item.tabIndex = -1;
      item.dataset.key = hit.entity.key;
      item.innerHTML = `<i style="background:${(KINDS[hit.entity.kind] || KINDS.DOCUMENT).color}"></i>`;
      const name = document.createElement("span");
      name.textContent = hit.entity.name;
      const kind = document.createElement("small");
      kind.textContent = (KINDS[hit.entity.kind] || { label: hit.entity.kind }).label;
      item.append(name, kind);
      item.addEventListener("mousedown", (event) => {
        event.preventDefault();
        choose(hit.entity.key, hit.entity.name);
      });
      list.append(item);
      if (![...names.options].some((o) => o.value === hit.entity.key)) {
        const option = document.createElement("option");
        option.value = hit.entity.key;
        option.label = hit.entity.name;
        names.append(option);
      }
    }
    if (!result.search.length) list.innerHTML = '<li class="empty">Nothing matches.</li>';
    list.hidden = false;
  } catch (error) {
    failed(error);
  }
}

function choose(key, name) {
  $("search").value = name;
  $("search-results").hidden = true;
  focusOn(key);
}

$("search").addEventListener("input", (event) => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => search(event.target.value), 150);
});
$("search").addEventListener("keydown", (event) => {
  if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
  const items = [...$("search-results").querySelectorAll("li[data-key]")];
  if (!items.length) return;
  event.preventDefault();
  const current = items.findIndex((item) => item.classList.contains("active"));
  const next = event.key === "ArrowDown" ? Math.min(current + 1, items.length - 1) : Math.max(current - 1, 0);
  items.forEach((item, index) => item.classList.toggle("active", index === next));
});
$("search").addEventListener("blur", () => setTimeout(() => ($("search-results").hidden = true), 150));
$("search-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const first = $("search-results").querySelector("li.active[data-key]") || $("search-results").querySelector("li[data-key]");
  if (first) choose(first.dataset.key, first.querySelector("span").textContent);
  else await search($("search").value);
});

$("as-of").addEventListener("change", () => {
  const value = $("as-of").value.trim();
  if (value && !PARTIAL_DATE.test(value)) {
    status(`"${value}" is not a date: use YYYY, YYYY-MM or YYYY-MM-DD`, "error");
    return;
  }
  setState({ asOf: value || null });
  load();
});
$("as-of-clear").addEventListener("click", () => {
  setState({ asOf: null });
  load();
});
$("types-all").addEventListener("click", () => {
  setState({ hide: [] });
  drawTypes();
  applyFilter();
});
$("types-none").addEventListener("click", () => {
  setState({ hide: [...new Set([...data.relations.values()].map((r) => r.type))].sort() });
  drawTypes();
  applyFilter();
});
const KEY = /^[a-z]+\/[a-z0-9._-]+$/;

/** An entity key for what was typed in a path field: a key as it is, else the best search hit's. */
async function resolveKey(text) {
  if (KEY.test(text)) return text;
  const result = await run("search", { text });
  if (!result.search.length) throw new ApiError([{ message: `no entity matches "${text}"` }]);
  return result.search[0].entity.key;
}

$("path-find").addEventListener("click", async () => {
  const from = $("path-from").value.trim();
  const to = $("path-to").value.trim();
  if (!from || !to) {
    status("Give both ends of the path: entity keys, or pick names from the list.", "error");
    return;
  }
  try {
    const [fromKey, toKey] = await Promise.all([resolveKey(from), resolveKey(to)]);
    setState({ from: fromKey, to: toKey });
  } catch (error) {
    failed(error);
    return;
  }
  load();
});
$("path-clear").addEventListener("click", () => {
  setState({ from: null, to: null });
  load();
});
$("share").addEventListener("click", () => {
  const link = window.location.origin + window.location.pathname + encode(state);
  const done = () => {
    $("share").textContent = "Link copied";
    setTimeout(() => ($("share").textContent = "Copy link"), 1600);
  };
  if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(link).then(done, () => window.prompt("Copy this link", link));
  else window.prompt("Copy this link", link);
});
window.addEventListener("popstate", () => {
  state = parse(window.location.search);
  load();
});

for (const [key, name] of STARTERS) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "chip";
  button.dataset.key = key;
  button.textContent = name;
  button.addEventListener("click", () => focusOn(key));
  $("starters").append(button, " ");
}

load();
