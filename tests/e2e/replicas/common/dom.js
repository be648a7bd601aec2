/**
 * Small DOM helpers shared by the replicas.
 *
 * Everything is built with createElement/setAttribute/textContent: the LinkedIn replica runs under
 * `require-trusted-types-for 'script'`, so the replicas themselves must never hand HTML strings to a sink.
 * `delegate()` imitates React 17+: one listener per event type on the app's root container (bubble phase),
 * walking the composed path to call the handlers registered on elements — which is why an extension that
 * stops an event at `window` in the capture phase keeps the site's handlers from ever running.
 */

const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * Build an element. `props`: attributes, except `text` (textContent), `style` (cssText string) and
 * `class`; children are nodes or strings (as text nodes); null/false children are skipped.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") el.textContent = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  appendChildren(el, children);
  return el;
}

function appendChildren(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
}

/** Build a small SVG icon from path data, with an optional aria-label (sites label icons this way). */
export function icon(pathData, { label = null, size = 24, fill = "currentColor", viewBox = "0 0 24 24" } = {}) {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", viewBox);
  svg.setAttribute("width", String(size));
  svg.setAttribute("height", String(size));
  svg.setAttribute("fill", fill);
  if (label) {
    svg.setAttribute("aria-label", label);
    svg.setAttribute("role", "img");
  } else {
    svg.setAttribute("aria-hidden", "true");
  }
  for (const d of [].concat(pathData)) {
    const path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  return svg;
}

/** A round avatar with initials (no real photos in the replicas). */
export function avatar(initials, size, color) {
  return h("div", {
    class: "replica-avatar",
    style: `width:${size}px;height:${size}px;background:${color};font-size:${Math.round(size / 2.6)}px`,
    "aria-hidden": "true",
    text: initials,
  });
}

const handlers = new WeakMap();

/** Register a React-style handler (`click`, `keydown`, ...) on an element; run by `delegate()` at the root. */
export function onDelegated(el, type, fn) {
  if (!handlers.has(el)) handlers.set(el, {});
  handlers.get(el)[type] = fn;
  return el;
}

/** Listen once at `root` for each event type and dispatch to registered handlers along the composed path. */
export function delegate(root, types) {
  for (const type of types) {
    root.addEventListener(type, (event) => {
      for (const node of event.composedPath()) {
        if (node === root) break;
        const fn = handlers.get(node)?.[type];
        if (fn) fn(event, node);
        if (event.cancelBubble) break;
      }
    });
  }
}

/**
 * Make a div[role=button] behave like the sites' own: pointer click and Enter/Space while focused both
 * call `onPress` directly (the keys do not synthesise a click), and nothing happens while aria-disabled.
 */
export function onPress(el, onPressFn) {
  const guarded = (event) => {
    if (el.getAttribute("aria-disabled") === "true") return;
    onPressFn(event);
  };
  onDelegated(el, "click", guarded);
  onDelegated(el, "keydown", (event) => {
    if (event.key !== "Enter" && event.key !== " ") return;
    event.preventDefault();
    guarded(event);
  });
  return el;
}

/** Open the native file picker of a hidden input, as the sites' "add photo" buttons do. */
export function openPicker(input) {
  input.value = "";
  input.click();
}

/** Images (or any files) from a DataTransfer-like source, as a plain array. */
export function filesFrom(source) {
  return source && source.files ? Array.from(source.files) : [];
}
