// The explorer's view state, kept in the URL so that a link reopens the same view.
const LISTS = ["expand", "hide"];
const SCALARS = ["focus", "asOf", "from", "to", "sel"];

/** The state encoded in `search` (a location.search string). */
export function parse(search) {
  const params = new URLSearchParams(search);
  const state = { focus: null, expand: [], hide: [], asOf: null, from: null, to: null, sel: null };
  for (const name of SCALARS) state[name] = params.get(name) || null;
  for (const name of LISTS) {
    const value = params.get(name);
    state[name] = value ? value.split(",").filter(Boolean) : [];
  }
  return state;
}

/** The query string for `state` (empty values left out). */
export function encode(state) {
  const params = new URLSearchParams();
  for (const name of SCALARS) if (state[name]) params.set(name, state[name]);
  for (const name of LISTS) if (state[name].length) params.set(name, state[name].join(","));
  const text = params.toString().replaceAll("%2F", "/").replaceAll("%2C", ",").replaceAll("%3A", ":");
  return text ? `?${text}` : "";
}

/** Record `state` in the address bar (a new history entry when `push`). */
export function save(state, push = false) {
  const url = window.location.pathname + encode(state);
  if (url === window.location.pathname + window.location.search) return;
  if (push) window.history.pushState(null, "", url);
  else window.history.replaceState(null, "", url);
}
