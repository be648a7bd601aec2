/*
 * The one base every site adapter is built on (web-scrobbler's habit: each site is a small table of
 * data over a documented base). An adapter never uses generated class names: only roles,
 * aria-labels, data attributes, stable BEM names the site has kept for years, and tables of button
 * labels in several languages.
 *
 * A site spec has:
 *   id, platform            — "linkedin" ...; also the file name (content/sites/<id>.js)
 *   editorSelectors         — contenteditable editors, most specific first
 *   submitRules             — [{selector, labels?, kind}] a control is a submit when it matches the
 *                             selector and (when labels are given) its label is in the table; kind is
 *                             "post", "comment" or "next" (a step before the final Share)
 *   rootSelectors           — composer roots (dialog, comment box) that hold state such as images
 *   enterSubmits(editor)    — true for comment boxes where Enter sends
 *   fileInputSelector       — file inputs whose files are the post's images
 *   removeImage             — {selector, removes: "one"|"all"} the site's own control that takes a photo
 *                             (or the whole attachment) off the post; absent where picking replaces
 *                             the selection (Instagram). Used to swap in a redacted photo.
 *   actingIdentity(root, doc) — who the user posts as from this composer (display name or handle, as
 *                             the page shows it), or "" when the page does not say; see feed-dom.md
 *
 * The base gives every adapter: findEditor, findSubmit, scopeOf, composerForEditor,
 * composerForSubmit, rootOf, and a throttled `report` that counts matches and misses so a site
 * change shows in the options page instead of Postguard failing silently.
 */
import { runtime } from "./runtime.js";
import { MESSAGES } from "../../shared/messages.js";

const root = globalThis;

const CONTROL_SELECTOR = 'button, [role="button"]';

/** The parent element, stepping from a shadow root to its host. */
function parentAcross(el) {
  if (el.parentElement) return el.parentElement;
  const parent = el.parentNode;
  return parent && parent.nodeType === 11 && parent.host ? parent.host : null;
}

/** Element.closest that continues past shadow roots. */
function closestAcross(el, selector) {
  for (let node = el; node; node = parentAcross(node)) {
    if (node.matches?.(selector)) return node;
  }
  return null;
}

/** What a user reads on a control: aria-label, else its text; lower case, counts like "Post, 1" dropped. */
function labelOf(el) {
  const raw = el.getAttribute("aria-label") || el.textContent || "";
  return raw.replace(/\s+/g, " ").trim().replace(/,\s*\d+$/, "").toLowerCase();
}

/** Rendered and not hidden; jsdom (unit tests) has no layout, so the fallback reads attributes and styles. */
function isVisible(el) {
  if (typeof el.checkVisibility === "function") {
    return el.checkVisibility({ visibilityProperty: true });
  }
  for (let node = el; node && node.nodeType === 1; node = parentAcross(node)) {
    if (node.hidden || node.getAttribute("aria-hidden") === "true") return false;
    const style = node.ownerDocument.defaultView.getComputedStyle(node);
    if (style.display === "none" || style.visibility === "hidden") return false;
  }
  return true;
}

function elementOf(node) {
  return node && node.nodeType === 1 ? node : node?.parentElement || null;
}

function createAdapter(spec) {
  const editorSelector = spec.editorSelectors.join(", ");
  const rootSelector = spec.rootSelectors.join(", ");
  const labelSets = spec.submitRules.map((rule) => (rule.labels ? new Set(rule.labels.map((l) => l.toLowerCase())) : null));
  const lastReport = new Map();

  /** The submit rule a control matches, or null. */
  function ruleFor(control) {
    if (!control || isDisabled(control)) return null;
    for (let i = 0; i < spec.submitRules.length; i += 1) {
      const rule = spec.submitRules[i];
      if (!control.matches(rule.selector)) continue;
      if (!labelSets[i] || labelSets[i].has(labelOf(control))) return rule;
    }
    return null;
  }

  function isDisabled(control) {
    return control.disabled === true || control.getAttribute("aria-disabled") === "true";
  }

  /** An editor the user can type in: contenteditable, or a textarea (Instagram's comment box). */
  const editable = (e) => e.isContentEditable !== false || e.tagName === "TEXTAREA";

  /** The editor a node belongs to (the event target of input, keydown, paste). */
  function findEditor(node) {
    const el = elementOf(node);
    const editor = el?.closest(editorSelector);
    return editor && editable(editor) ? editor : null;
  }

  /** {control, kind} when `node` is inside an enabled submit control. */
  function findSubmit(node) {
    const control = elementOf(node)?.closest(CONTROL_SELECTOR);
    const rule = control ? ruleFor(control) : null;
    return rule ? { control, kind: rule.kind } : null;
  }

  /** Visible submit controls (of the post/comment kinds) inside `scope`. */
  function submitsIn(scope, kinds = ["post", "comment"]) {
    return [...scope.querySelectorAll(CONTROL_SELECTOR)].filter((c) => {
      const rule = ruleForIgnoringDisabled(c);
      return rule && kinds.includes(rule.kind) && isVisible(c);
    });
  }

  function ruleForIgnoringDisabled(control) {
    for (let i = 0; i < spec.submitRules.length; i += 1) {
      const rule = spec.submitRules[i];
      if (control.matches(rule.selector) && (!labelSets[i] || labelSets[i].has(labelOf(control)))) return rule;
    }
    return null;
  }

  /** From the editor up to the nearest ancestor holding exactly one submit control. */
  function scopeOf(editor) {
    for (let el = editor.parentElement; el; el = el.parentElement) {
      const submits = submitsIn(el);
      if (submits.length === 1) return { scope: el, submit: submits[0] };
      if (submits.length > 1) return null;
    }
    return null;
  }

  /** Visible editors in a subtree; the last one wins (Facebook adds textboxes after an upload). */
  function editorsIn(scope) {
    return [...scope.querySelectorAll(editorSelector)].filter((e) => editable(e) && isVisible(e));
  }

  /** The composer root around a node: the first of rootSelectors (in the spec's order) it is inside. */
  function rootOf(node) {
    const el = elementOf(node);
    if (!el) return null;
    for (const selector of spec.rootSelectors) {
      const found = closestAcross(el, selector);
      if (found) return found;
    }
    return null;
  }

  /** A composer seen from its editor: {editor, root, submit, kind, enterSubmits}, or null. */
  function composerForEditor(editor) {
    const enterSubmits = Boolean(spec.enterSubmits?.(editor));
    // Enter-to-send boxes have no button; walking up would only find some other post's controls.
    const scoped = enterSubmits ? null : scopeOf(editor);
    if (!scoped && !enterSubmits) return null;
    const root = rootOf(editor) || scoped?.scope || editor.parentElement;
    const kind = scoped ? ruleFor(scoped.submit)?.kind || "post" : "comment";
    return { editor, root, submit: scoped?.submit || null, kind, enterSubmits };
  }

  /** A composer seen from its submit control: walks up to the nearest ancestor with an editor. */
  function composerForSubmit(control, kind) {
    for (let el = control.parentElement; el; el = el.parentElement) {
      const editors = editorsIn(el);
      if (editors.length) {
        const editor = editors[editors.length - 1];
        return { editor, root: rootOf(control) || el, submit: control, kind, enterSubmits: false };
      }
      if (rootSelector && el.matches(rootSelector)) break;
    }
    // Instagram's Share step may have no caption editor in older layouts: the root still holds images.
    const rootEl = rootOf(control);
    return rootEl && spec.allowEditorless ? { editor: null, root: rootEl, submit: control, kind, enterSubmits: false } : null;
  }

  /** Finds the submit control again (it may have re-rendered since the user clicked). */
  function refindSubmit(composer) {
    if (composer.submit?.isConnected && isVisible(composer.submit)) return composer.submit;
    const scope = composer.editor?.isConnected ? scopeOf(composer.editor)?.scope : composer.root;
    const found = scope ? submitsIn(scope) : [];
    return found[found.length - 1] || null;
  }

  /** Counts a match or a miss for one probe, at most once per 5 s per page and kind. */
  function report(outcome, probe) {
    const key = `${outcome}:${probe}`;
    const now = Date.now();
    if (now - (lastReport.get(key) || 0) < 5000) return;
    lastReport.set(key, now);
    if (outcome === "missed") root.console?.warn?.(`Postguard: the ${spec.id} adapter did not recognise a ${probe}; the site may have changed.`);
    runtime?.send(MESSAGES.ADAPTER_REPORT.type, { site: spec.id, outcome, probe });
  }

  /** The acting identity for a composer root, trimmed and capped; "" when unknown (never throws). */
  function actingIdentity(composerRoot) {
    try {
      const name = spec.actingIdentity?.(composerRoot, composerRoot?.ownerDocument || root.document) || "";
      return name.replace(/\s+/g, " ").trim().slice(0, 300);
    } catch {
      return "";
    }
  }

  return Object.freeze({
    id: spec.id,
    actingIdentity,
    platform: spec.platform,
    spec,
    fileInputSelector: spec.fileInputSelector,
    editorSelector,
    findEditor,
    findSubmit,
    scopeOf,
    rootOf,
    composerForEditor,
    composerForSubmit,
    refindSubmit,
    isSubmitLabel: (el) => Boolean(ruleForIgnoringDisabled(el)),
    report,
  });
}

/** The site adapters defined on this page, by id (a page's bundle holds one). */
export const adapters = {};
export const dom = { isVisible };
/** Registers a site adapter under its id. */
export const defineAdapter = (spec) => { adapters[spec.id] = createAdapter(spec); return adapters[spec.id]; };
