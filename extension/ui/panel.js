/*
 * The warning panel, anchored at the composer. Host `data-postguard="panel"` with an open shadow
 * root (see styles.js for why open). Every page- or companion-derived string (finding message,
 * the author's own words) goes in with textContent, never as HTML: a post like `<img onerror=...>`
 * stays text. Keyboard: focus moves into the panel when it opens, Tab and Shift+Tab walk its controls
 * and wrap around inside it (the page behind never gets focus while the panel is open), Esc returns
 * to the editor (the same as Edit).
 *
 * A card says each thing once: the category, then the companion's sentence with the author's own
 * words in place of the masked excerpt (the author typed them; masking protects the audit log, not
 * the author from their own post). The words come from the text the extension sent, at the
 * finding's offsets; the companion sends nothing new. Photo findings keep the companion's masked
 * excerpt: the extension never saw that text.
 *
 * The panel knows nothing about checks or sites; the guard gives it what to show and an
 * `onAction(action, details)` callback: "edit", "redact", "cancel", "override" (with
 * {reason, justification}). A control with `data-postguard-item` passes {item} (a card's own actions).
 * `render(doc, view)` builds another kind of panel in the same frame (placement, focus trap, Esc):
 * the photo review (ui/photo-review.js) is one.
 */
import { runtime } from "../content/core/runtime.js";
import { editorText } from "../content/core/text.js";
import { t } from "./i18n.js";
import { placement } from "./placement.js";
import { ui } from "./styles.js";

const root = globalThis;

const REASONS = ["public", "approved", "false_alarm", "other"];
let current = null;

/**
 * Opens the panel; returns {close, setBusy, host}. `view` = {result, text (what was checked), canOverride, canRedact,
 * requireJustification, blockNote, photoNotFullyChecked, textNotFullyChecked}. `anchor` is the editor, `parent` the
 * composer's dialog (the panel goes inside it, so the site's focus trap keeps working), `avoid` what
 * the panel should not cover: [{kind: "submit"|"highlight"|"photo"|"text", target: Element|Range}].
 */
function open({ parent, anchor, view, onAction, avoid = [], render = build }) {
  close();
  const doc = root.document;
  const holder = parent && parent.isConnected ? parent : doc.body || doc.documentElement;
  const { host, shadow } = ui.createHost("panel", holder);
  const panel = render(doc, view);
  shadow.append(panel);
  const controller = { host, panel, close, setBusy: (busy) => setBusy(panel, busy) };
  wire(panel, view, onAction, controller);
  current = { host, anchor, onReposition: null };
  const where = { anchor, around: parent, avoid };
  place(panel, where);
  const onMove = () => { if (current?.host === host) place(panel, where); };
  root.addEventListener("resize", onMove, { passive: true, signal: runtime.signal() });
  current.onReposition = onMove;
  // The panel grows when the justification form opens: keep it inside the window.
  if (typeof root.ResizeObserver === "function") {
    current.resizeObserver = new root.ResizeObserver(onMove);
    current.resizeObserver.observe(panel);
  }
  panel.focus({ preventScroll: true });
  return controller;
}

function build(doc, view) {
  const { el } = ui;
  const blocked = !view.canOverride && view.result.verdict === "block";
  const panel = el(doc, "section", {
    className: `pg-panel${view.blockNote ? " pg-block" : ""}`, role: "dialog", "aria-modal": "true",
    "aria-labelledby": "pg-title", "aria-describedby": "pg-intro", tabindex: "-1", "data-verdict": view.result.verdict,
  });
  const head = el(doc, "div", { className: "pg-head" }, [
    el(doc, "span", { className: "pg-badge", text: "Postguard" }),
    el(doc, "h2", { id: "pg-title", text: t(view.blockNote ? "panelTitleBlock" : "panelTitleWarn") }),
  ]);
  panel.append(head, el(doc, "p", { id: "pg-intro", className: "pg-intro", text: t("panelIntro") }));
  panel.append(findingList(doc, view.result.findings || [], view.text, { fixFor: view.fixFor, dismiss: view.canOverride }));
  if (view.photoNotFullyChecked) panel.append(el(doc, "p", { className: "pg-note pg-ocr", "data-postguard-part": "ocr", text: t("photoNotFullyChecked") }));
  if (view.textNotFullyChecked) panel.append(el(doc, "p", { className: "pg-note pg-ocr", "data-postguard-part": "text-incomplete", text: t("textNotFullyChecked") }));
  if (view.blockNote) panel.append(el(doc, "p", { className: "pg-note", text: t(view.blockNote) }));
  const actions = el(doc, "div", { className: "pg-actions" });
  actions.append(button(doc, "edit", t("actionEdit"), "pg-primary"));
  if (view.canRedact) actions.append(button(doc, "redact", t("actionRedact")));
  if (view.canOverride) actions.append(button(doc, "override", t("actionOverride"), "pg-danger"));
  actions.append(button(doc, "cancel", t("actionCancel")));
  panel.append(actions);
  if (view.canOverride) panel.append(justificationForm(doc, view));
  panel.dataset.blocked = String(blocked);
  return panel;
}

/**
 * One card per finding; `where: false` leaves out "In photo N" (a photo's own card already says it).
 * A text finding's card selects its words when clicked and, with `fixFor(finding)` (the replacement
 * words, "" = take them out), has Fix, and Dismiss when `dismiss` (the user may post anyway).
 */
function findingList(doc, findings, text, { where = true, fixFor = null, dismiss = false } = {}) {
  const { el } = ui;
  const list = el(doc, "ul", { "aria-label": t("panelLabel") });
  findings.forEach((finding, index) => {
    const own = ownWords(text, finding);
    const fix = own && fixFor ? fixFor(finding) : null;
    const item = el(doc, "li", {
      className: `pg-sev-${finding.severity}`, "data-postguard-finding": "", "data-category": finding.category,
      "data-postguard-item": own ? String(index) : undefined, "data-postguard-action": own ? "select" : undefined,
    });
    const title = el(doc, "div", {}, [el(doc, "span", { className: "pg-cat", text: t(`cat_${finding.category}`) })]);
    if (finding.source === "image" && where) {
      title.append(el(doc, "span", { className: "pg-where", text: t("panelFindingInPhoto", [String((finding.image_index || 0) + 1)]) }));
    }
    item.append(title, ...findingBody(doc, finding, own));
    if (fix !== null) item.append(cardActions(doc, index, fix, dismiss));
    list.append(item);
  });
  return list;
}

/** A card's own Fix ("Fix: a client") and Dismiss. */
function cardActions(doc, index, fix, dismiss) {
  const row = ui.el(doc, "div", { className: "pg-item-actions" });
  const one = (action, label) => ui.el(doc, "button", { type: "button", "data-postguard-action": action, "data-postguard-item": String(index), text: label });
  row.append(one("fix", fix ? t("fixPreview", [fix]) : t("actionFix")));
  if (dismiss) row.append(one("dismiss", t("actionDismiss")));
  return row;
}

/** What the author wrote at a text finding's offsets, or null (photo finding, no text, bad offsets). */
function ownWords(text, finding) {
  if (typeof text !== "string") return null;
  const span = editorText.findingSpan(text, finding);
  if (!span || span.end > text.length) return null;
  const words = text.slice(span.start, span.end).trim();
  return words || null;
}

/**
 * The card's body, each thing once: the companion's sentence with the author's words where the
 * masked excerpt stood; the words on their own when the sentence does not quote them; the
 * category's reason only when the companion sent no sentence.
 */
function findingBody(doc, finding, own) {
  const { el } = ui;
  const message = typeof finding.message === "string" ? finding.message : "";
  // The author's words are highlighted like the text in the editor; a masked excerpt (photo) is not.
  const quote = () => (own ? el(doc, "mark", { className: "pg-own", text: own }) : el(doc, "span", { className: "pg-masked", text: finding.excerpt }));
  const at = message && finding.excerpt ? message.indexOf(finding.excerpt) : -1;
  if (message && at >= 0) {
    const line = el(doc, "p", { className: "pg-message" });
    line.append(doc.createTextNode(message.slice(0, at)), quote(), doc.createTextNode(message.slice(at + finding.excerpt.length)));
    return [line];
  }
  const parts = [];
  if (own || finding.excerpt) parts.push(el(doc, "p", {}, [quote()]));
  parts.push(el(doc, "p", { className: message ? "pg-message" : "pg-why", text: message || t(`why_${finding.category}`) }));
  return parts;
}

function button(doc, action, label, extraClass) {
  return ui.el(doc, "button", { type: "button", className: extraClass, "data-postguard-action": action, text: label });
}

function justificationForm(doc, view) {
  const { el } = ui;
  const form = el(doc, "div", { className: "pg-justify", hidden: true, "data-postguard-part": "justify" });
  if (view.requireJustification) {
    const select = el(doc, "select", { id: "pg-reason", "data-postguard-field": "reason" });
    select.append(el(doc, "option", { value: "", text: "—" }));
    for (const reason of REASONS) select.append(el(doc, "option", { value: reason, text: t(`reason_${reason}`) }));
    form.append(el(doc, "label", { for: "pg-reason", text: t("reasonLabel") }), select);
    form.append(el(doc, "label", { for: "pg-justification", text: t("justificationLabel") }));
    form.append(el(doc, "textarea", { id: "pg-justification", "data-postguard-field": "justification", maxlength: "500" }));
    form.append(el(doc, "p", { className: "pg-error", role: "alert", "data-postguard-part": "error" }));
  }
  form.append(button(doc, "confirm-override", t("actionConfirmOverride"), "pg-danger"));
  return form;
}

function wire(panel, view, onAction, controller) {
  const part = (name) => panel.querySelector(`[data-postguard-part="${name}"]`);
  const act = (action, details) => { if (!panel.dataset.busy) onAction(action, details || {}, controller); };
  panel.addEventListener("click", (event) => {
    const target = event.target.closest?.("[data-postguard-action]");
    if (!target || target.disabled) return;
    const action = target.getAttribute("data-postguard-action");
    if ((action === "override" || action === "dismiss") && view.requireJustification) {
      // The same reason form for posting anyway and for dismissing one card (its confirm says which).
      const form = part("justify");
      form.hidden = false;
      if (action === "dismiss") form.dataset.item = target.getAttribute("data-postguard-item"); else delete form.dataset.item;
      panel.querySelector('[data-postguard-action="confirm-override"]').textContent = t(action === "dismiss" ? "actionDismiss" : "actionConfirmOverride");
      (panel.querySelector('[data-postguard-field="reason"]') || panel.querySelector('[data-postguard-action="confirm-override"]')).focus();
      return;
    }
    if (action === "confirm-override") return confirmOverride(panel, view, act);
    const item = target.getAttribute("data-postguard-item");
    act(action, item === null ? undefined : { item });
  });
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { event.preventDefault(); act("edit", { viaEscape: true }); }
    if (event.key === "Tab" && !event.altKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      moveFocus(panel, event.shiftKey ? -1 : 1);
    }
  });
}

/** The panel's controls a user can reach now, in document order (hidden or disabled ones skipped). */
function focusable(panel) {
  return [...panel.querySelectorAll("button, select, textarea, input, a[href]")]
    .filter((node) => !node.disabled && !node.closest("[hidden]"));
}

/**
 * Tab and Shift+Tab stay inside the panel and wrap around: the page behind it (the editor, the
 * site's Post) must not take focus while the post is held. Moving focus ourselves (not only at the
 * edges) keeps the order the same whatever the site's own focus handling does.
 */
function moveFocus(panel, step) {
  const controls = focusable(panel);
  if (!controls.length) { panel.focus(); return; }
  const active = panel.getRootNode().activeElement;
  const index = controls.indexOf(active);
  const next = index < 0 ? (step > 0 ? 0 : controls.length - 1) : (index + step + controls.length) % controls.length;
  controls[next].focus();
}

function confirmOverride(panel, view, act) {
  if (!view.requireJustification) return act("override", {});
  const reason = panel.querySelector('[data-postguard-field="reason"]').value;
  const text = panel.querySelector('[data-postguard-field="justification"]').value.trim();
  const error = panel.querySelector('[data-postguard-part="error"]');
  if (!reason || text.length < 3) {
    error.textContent = t("justificationRequired");
    (reason ? panel.querySelector('[data-postguard-field="justification"]') : panel.querySelector('[data-postguard-field="reason"]')).focus();
    return undefined;
  }
  error.textContent = "";
  const form = panel.querySelector('[data-postguard-part="justify"]');
  if (form.dataset.item !== undefined) {
    // One card dismissed with this reason; the form closes and keeps the reason for the next card.
    const item = form.dataset.item;
    delete form.dataset.item;
    form.hidden = true;
    return act("dismiss", { item, reason, justification: `${reason}: ${text}` });
  }
  return act("override", { reason, justification: `${reason}: ${text}` });
}

function setBusy(panel, busy) {
  if (busy) panel.dataset.busy = "true"; else delete panel.dataset.busy;
  panel.querySelectorAll("button").forEach((b) => { b.disabled = Boolean(busy); });
}

function rectOf(target) {
  if (!target || target.isConnected === false || typeof target.getBoundingClientRect !== "function") return null;
  const rect = target.getBoundingClientRect();
  return rect.width > 0 || rect.height > 0 ? rect : null;
}

/** Puts the panel where it covers the least of what matters (see placement.js), inside the window. */
function place(panel, { anchor, around, avoid }) {
  const view = { width: root.innerWidth || 1200, height: root.innerHeight || 800 };
  panel.style.maxHeight = "";
  const heightAt = (width) => {
    panel.style.width = `${width}px`;
    return Math.min(panel.offsetHeight || 320, view.height - 16);
  };
  const spot = placement.choose({
    view, width: 380, height: heightAt, anchor: rectOf(anchor), composer: rectOf(around),
    avoid: avoid.map(({ kind, target }) => ({ kind, rect: rectOf(target) })).filter((a) => a.rect),
  });
  panel.style.width = `${spot.width}px`;
  if (spot.maxHeight) panel.style.maxHeight = `${spot.maxHeight}px`;
  panel.style.left = `${spot.left}px`;
  panel.style.top = `${spot.top}px`;
  // A transformed ancestor turns `fixed` into `absolute`: correct by the measured offset.
  const placed = panel.getBoundingClientRect();
  if (placed.width && (Math.abs(placed.left - spot.left) > 1 || Math.abs(placed.top - spot.top) > 1)) {
    panel.style.left = `${2 * spot.left - placed.left}px`;
    panel.style.top = `${2 * spot.top - placed.top}px`;
  }
}

/** Closes the panel, if open. */
function close() {
  if (!current) return;
  if (current.onReposition) root.removeEventListener("resize", current.onReposition);
  current.resizeObserver?.disconnect();
  current.host.remove();
  current = null;
}

export const panelUi = { open, close, isOpen: () => Boolean(current), button };
runtime?.onDetach(close);
