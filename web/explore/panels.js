// The explorer's panels: an entity, a relation with its citations, and a timeline.
import { KINDS, words } from "./style.js";

/** An element with attributes and children (strings become text, never HTML). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** Replace `panel`'s content with `children`, leaving out the empty ones. */
function fill(panel, ...children) {
  panel.replaceChildren(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
}

const PARTS = { YEAR: "year", MONTH: "month", DAY: "day" };

/** A date with its inferred parts said aloud: "2026-06-02 (year inferred)". */
export function dateText(date) {
  if (!date) return null;
  const inferred = (date.inferredParts || []).map((p) => PARTS[p] || p.toLowerCase());
  return inferred.length ? `${date.iso} (${inferred.join(", ")} inferred)` : date.iso;
}

function dateNode(date) {
  if (!date) return null;
  const inferred = (date.inferredParts || []).length > 0;
  return h("span", { class: inferred ? "date inferred" : "date", title: inferred ? "Parts of this date are inferred, not stated by the source" : null }, dateText(date));
}

function kindBadge(kind) {
  const look = KINDS[kind] || { label: kind, color: "#5d6b82" };
  return h("span", { class: "badge", style: `background:${look.color}` }, look.label);
}

function confidenceBadge(confidence) {
  return h("span", { class: `confidence c-${confidence.toLowerCase()}`, title: "How firmly the source states it" }, words(confidence));
}

function attributionText(attribution) {
  // Claims the document makes in its own voice carry no attribution text.
  const parts = [attribution.text || (attribution.kind === "REPORTING" ? "the document's own reporting" : "unattributed")];
  if (attribution.sourceCount) parts.push(`${attribution.sourceCount} source${attribution.sourceCount === 1 ? "" : "s"}`);
  return parts.join(" · ");
}

function citationList(citations) {
  if (!citations.length) return h("p", { class: "hint" }, "No citations.");
  return h(
    "ol",
    { class: "citations" },
    citations.map((citation) =>
      h(
        "li",
        { class: "citation" },
        h("blockquote", {}, citation.claim),
        h(
          "dl",
          {},
          h("dt", {}, "Document"),
          h(
            "dd",
            { class: "document" },
            citation.document.url
              ? h("a", { href: citation.document.url, rel: "noreferrer noopener", target: "_blank" }, citation.document.title || citation.document.name)
              : citation.document.title || citation.document.name,
            citation.document.publisher ? ` — ${citation.document.publisher.name}` : "",
            citation.document.published ? h("span", {}, ", ", dateNode(citation.document.published)) : "",
          ),
          h("dt", {}, "Paragraph"),
          h("dd", { class: "paragraph" }, citation.document.paragraphCount ? `¶ ${citation.paragraph} of ${citation.document.paragraphCount}` : `¶ ${citation.paragraph}`),
          h("dt", {}, "Said by"),
          h("dd", { class: "attribution" }, attributionText(citation.attribution), citation.attribution.text ? h("small", {}, ` (${words(citation.attribution.kind)})`) : null),
          h("dt", {}, "Confidence"),
          h("dd", {}, confidenceBadge(citation.confidence)),
        ),
      ),
    ),
  );
}

/** Fill `panel` with an entity's details and the actions on it. */
export function renderEntity(panel, entity, actions) {
  panel.replaceChildren();
  if (!entity) {
    panel.append(h("p", { class: "hint" }, "This entity is not in the graph."));
    return;
  }
  fill(
    panel,
    h("div", { class: "panel-kind" }, kindBadge(entity.kind), h("code", {}, entity.key)),
    h("h2", { class: "panel-title" }, entity.name),
    entity.aliases.length ? h("p", { class: "aliases" }, "Also: ", entity.aliases.join(", ")) : null,
    h("p", { class: "description" }, entity.description),
    entity.inferredFields.length ? h("p", { class: "inferred-note" }, "Inferred, not stated: ", entity.inferredFields.join(", ")) : null,
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", id: "action-expand", onclick: actions.expand, disabled: actions.expanded }, actions.expanded ? "Expanded" : "Expand"),
      h("button", { type: "button", class: "ghost", onclick: actions.focus }, "Centre here"),
      h("button", { type: "button", class: "ghost", onclick: actions.pathFrom }, "Path from"),
      h("button", { type: "button", class: "ghost", onclick: actions.pathTo }, "Path to"),
    ),
    entity.citations.length ? h("h3", {}, `Citations (${entity.citations.length})`) : null,
    entity.citations.length ? citationList(entity.citations) : null,
  );
}

function qualifierRows(qualifiers) {
  const rows = [];
  for (const [name, value] of Object.entries(qualifiers || {})) {
    if (value === null || value === undefined) continue;
    const text = typeof value === "object" ? dateText(value) : String(value);
    rows.push(h("dt", {}, name.replace(/([A-Z])/g, " $1").toLowerCase()), h("dd", {}, text));
  }
  return rows;
}

/** Fill `panel` with a relation and every citation behind it. */
export function renderRelation(panel, relation, actions) {
  panel.replaceChildren();
  if (!relation) {
    panel.append(h("p", { class: "hint" }, "This relation is not in the graph."));
    return;
  }
  const end = (entity) => h("button", { type: "button", class: "link", onclick: () => actions.focus(entity.key), title: "Centre the graph here" }, entity.name);
  const when = [relation.validFrom ? h("span", {}, "from ", dateNode(relation.validFrom)) : null, relation.validTo ? h("span", {}, " until ", dateNode(relation.validTo)) : null];
  const qualifiers = qualifierRows(relation.qualifiers);
  fill(
    panel,
    h("div", { class: "panel-kind" }, h("span", { class: "badge relation" }, words(relation.type)), confidenceBadge(relation.confidence)),
    h("h2", { class: "panel-title", id: "relation-summary" }, relation.summary),
    h("p", { class: "ends" }, end(relation.subject), h("span", { class: "verb" }, ` ${words(relation.type)} `), end(relation.object)),
    relation.validFrom || relation.validTo ? h("p", { class: "when" }, "Holds ", when) : null,
    qualifiers.length ? h("dl", { class: "qualifiers" }, qualifiers) : null,
    h("h3", {}, `Citations (${relation.citations.length})`),
    citationList(relation.citations),
  );
}

/** Fill `track` with timeline entries; those after `asOf` are dimmed. */
export function renderTimeline(track, entries, { asOf, select }) {
  track.replaceChildren();
  if (!entries.length) {
    track.append(h("li", { class: "hint" }, "No dated events."));
    return;
  }
  for (const entry of entries) {
    const later = asOf && entry.date.iso.slice(0, asOf.length) > asOf;
    const target = entry.relation ? `r:${entry.relation.id}` : `e:${entry.entity.key}`;
    track.append(
      h(
        "li",
        { class: later ? "entry later" : "entry" },
        h(
          "button",
          { type: "button", onclick: () => select(target), title: later ? "After the as-of date" : null },
          h("span", { class: "when" }, dateNode(entry.date), " ", h("small", {}, words(entry.boundary))),
          h("span", { class: "what" }, entry.summary),
        ),
      ),
    );
  }
}
