// How the graph looks: colours per entity kind, and Cytoscape's stylesheet.
export const KINDS = {
  ORGANIZATION: { label: "Organization", color: "#3b6fd8", shape: "round-rectangle" },
  PERSON: { label: "Person", color: "#d0641b", shape: "ellipse" },
  AI_MODEL: { label: "AI model", color: "#7d4cc9", shape: "hexagon" },
  ORDER: { label: "Order", color: "#b5292f", shape: "rectangle" },
  INCIDENT: { label: "Incident", color: "#c9333a", shape: "diamond" },
  AGREEMENT: { label: "Agreement", color: "#178a5b", shape: "round-tag" },
  EVENT: { label: "Event", color: "#c28a06", shape: "round-triangle" },
  DOCUMENT: { label: "Document", color: "#5d6b82", shape: "rectangle" },
  QUESTION: { label: "Question", color: "#0f8b99", shape: "star" },
};

/** A relation type as words: DID_NOT_COMMENT_ON → "did not comment on". */
export function words(type) {
  return type.toLowerCase().replaceAll("_", " ");
}

export const STYLESHEET = [
  {
    selector: "node",
    style: {
      "background-color": (n) => (KINDS[n.data("kind")] || KINDS.DOCUMENT).color,
      shape: (n) => (KINDS[n.data("kind")] || KINDS.DOCUMENT).shape,
      label: "data(name)",
      width: 26,
      height: 26,
      "font-size": 11,
      "font-family": "system-ui, sans-serif",
      color: "#1d2433",
      "text-valign": "bottom",
      "text-margin-y": 4,
      "text-wrap": "wrap",
      "text-max-width": 130,
      "text-background-color": "#ffffff",
      "text-background-opacity": 0.8,
      "text-background-padding": 2,
      "border-width": 2,
      "border-color": "#ffffff",
    },
  },
  { selector: "node.focus", style: { width: 40, height: 40, "font-size": 13, "font-weight": 600, "border-color": "#17203a", "border-width": 3 } },
  { selector: "node.expanded", style: { "border-color": "#17203a", "border-style": "dashed", "border-width": 2 } },
  { selector: "node.on-path", style: { "border-color": "#f08c00", "border-width": 4 } },
  { selector: "node:selected", style: { "overlay-color": "#f0b429", "overlay-opacity": 0.35, "overlay-padding": 6 } },
  {
    selector: "edge",
    style: {
      width: 1.6,
      "line-color": "#9aa6bd",
      "target-arrow-color": "#9aa6bd",
      "target-arrow-shape": "triangle",
      "arrow-scale": 0.9,
      "curve-style": "bezier",
      label: (e) => words(e.data("type")),
      "font-size": 9,
      color: "#4a5670",
      "text-rotation": "autorotate",
      "text-background-color": "#f7f8fb",
      "text-background-opacity": 0.9,
      "text-background-padding": 1,
    },
  },
  { selector: "edge.on-path", style: { width: 4, "line-color": "#f08c00", "target-arrow-color": "#f08c00", color: "#8a4d00" } },
  { selector: "edge:selected", style: { width: 4, "line-color": "#17203a", "target-arrow-color": "#17203a", color: "#17203a" } },
  { selector: ".filtered", style: { display: "none" } },
];
