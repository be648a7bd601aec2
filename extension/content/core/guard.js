/*
 * The composer guard: capture-phase listeners on window (registered at document_start, before any
 * site handler) that pre-check while the user writes and intercept Post/Share/Comment.
 *
 *   click on a submit control, Enter/Space on a focused div-button, Enter in a comment box
 *   (without Shift), Ctrl/Cmd+Enter in any editor → interceptSubmit
 *   beforeinput/input in an editor → debounced pre-check;  paste/drop/file-input change → photos taken
 *   for review before the site sees them (photo-intake.js), then captured
 *
 * interceptSubmit: a cached "allow" for exactly this content lets the event through untouched (no
 * delay at all). Otherwise preventDefault + stopImmediatePropagation hold the post, the check runs,
 * and: allow → the submit is replayed once behind a one-shot bypass (the control found again, since
 * it may have re-rendered); warn/block → the panel. Enforcement "monitor" never holds.
 *
 * A comment sent under a feed post is public next to that post: `commentGate` (the reaction guard's,
 * feed/comment-gate.js) decides it first with the post's author and text on one card, and hands it
 * back here (`proceed`) when the post is harmless, so one guard decides each send.
 */
import { dismissals } from "./dismissals.js";
import { findingsCount } from "./findings-count.js";
import { imageStore } from "./images.js";
import { liveMarks } from "./live-marks.js";
import { photoIntake } from "./photo-intake.js";
import { photoNotices } from "./photo-notices.js";
import { policyStore } from "./policy-store.js";
import { precheck } from "./precheck.js";
import { postReview } from "./review.js";
import { runtime } from "./runtime.js";
import { sessionFor } from "./session.js";
import { t } from "../../ui/i18n.js";
import { notice } from "../../ui/notice.js";
import { panelUi } from "../../ui/panel.js";

const root = globalThis;

// How long a held post with a cached answer waits for the worker's fresh policy before the panel
// shows with the live copy (a sleeping or starting worker must not delay the panel).
const POLICY_WAIT_MS = 60;

function createGuard(adapter, { commentGate = null } = {}) {
  const state = { bypass: null, holding: null, lastRoot: null };
  const policy = () => policyStore.current();
  const editors = new WeakMap(); // editor -> its composer's session (so a keystroke costs a lookup, not a DOM walk)
  const seenRoots = new WeakSet();
  const seenFileLists = new WeakMap();

  const active = () => policy().sites.includes(adapter.id) && !runtime.detached;
  const ours = (path) => path.some((n) => n.nodeType === 1 && n.hasAttribute?.("data-postguard"));

  function composerForEditor(editor) {
    const cached = editors.get(editor)?.composer;
    if (cached?.editor === editor && cached.root?.isConnected && (!cached.submit || cached.submit.isConnected)) return cached;
    const found = adapter.composerForEditor(editor);
    if (!found) { adapter.report("missed", "scope"); return null; }
    const session = sessionFor(found.root);
    session.composer = found;
    editors.set(editor, session);
    adapter.report("matched", "scope");
    return found;
  }

  /** Listens for `change` inside shadow roots on the event path: it does not cross their boundary. */
  function watchShadowRoots(path) {
    for (const node of path) {
      if (node.nodeType === 11 && node.host && !seenRoots.has(node)) {
        seenRoots.add(node);
        node.addEventListener("change", onFileEvent, { capture: true, signal: runtime.signal() });
      }
    }
  }

  function setBypass(composer) { state.bypass = { root: composer.root, until: Date.now() + 1500 }; }
  function consumeBypass(composer) {
    const bypass = state.bypass;
    if (!bypass || Date.now() > bypass.until || bypass.root !== composer.root) return false;
    state.bypass = null;
    return true;
  }

  /** Lets a held submit through once: click the (re-found) control, or re-send the key for Enter-to-send boxes. */
  function replay(composer, how) {
    setBypass(composer);
    const control = adapter.refindSubmit(composer);
    if (control && how.via !== "enter") { control.click(); return; }
    const target = composer.editor?.isConnected ? composer.editor : how.target;
    target?.dispatchEvent(new root.KeyboardEvent("keydown", {
      key: "Enter", code: "Enter", keyCode: 13, which: 13, bubbles: true, cancelable: true, composed: true,
      ctrlKey: how.ctrlKey, metaKey: how.metaKey,
    }));
  }

  function interceptSubmit(event, composer, how) {
    if (consumeBypass(composer)) return;
    if (!active()) return;
    if (!runtime.contextAlive()) { runtime.detach(); return; }
    if (composer.kind === "comment" && commentGate?.take(event, composer, {
      replay: () => replay(composer, how), proceed: () => proceedHeld(composer, how) })) return;
    decideSubmit(event, composer, how);
  }

  /** The usual decision for a send the comment gate held: what would have passed untouched is replayed. */
  function proceedHeld(composer, how) {
    const held = { stopped: false, preventDefault() { held.stopped = true; }, stopImmediatePropagation() {} };
    decideSubmit(held, composer, how);
    if (!held.stopped) replay(composer, how);
  }

  function decideSubmit(event, composer, how) {
    state.lastRoot = composer.root;
    adapter.report("matched", "submit");
    if (policy().enforcement === "monitor") { monitor(composer); return; }
    const review = photoIntake.pendingFor(composer.root);
    if (review) {
      // A photo is still being checked and the site does not have it yet: posting now would send the
      // post without it. A clean photo goes on to the usual check of the whole post; when the user is
      // asked about the photo, they post again once they have answered.
      event.preventDefault();
      event.stopImmediatePropagation();
      review.done.then(() => { if (!review.asked && state.holding !== composer.root) hold(composer, how, null); });
      return;
    }
    const known = precheck.lookupNow(composer, adapter.platform);
    if (known && (known.answer.result.verdict === "allow" || dismissedAll(composer, known))) {
      // Pre-checked and clean, or every finding dismissed by the user (recorded when dismissed):
      // the site's own handler runs now, untouched.
      if (known.answer.result.scan_id) postReview.audit(adapter.platform, known.answer.result.scan_id, "posted");
      photoNotices.afterCheck(composer, known);
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    if (state.holding === composer.root) return;
    hold(composer, how, known);
  }

  /** True when the user dismissed every finding of this answer and the policy still lets them post anyway. */
  function dismissedAll(composer, outcome) {
    if (!outcome.answer.ok || !dismissals.apply(composer.root, outcome).allDismissed) return false;
    return postReview.viewFor(outcome.answer.result, policy(), outcome).canOverride;
  }

  async function hold(composer, how, known) {
    state.holding = composer.root;
    const ctx = { adapter, composer, policy: policy(), replay: () => replay(composer, how) };
    const slow = root.setTimeout(() => notice.show(t("noticeChecking"), { anchor: composer.root || composer.editor }), 400);
    let outcome;
    try {
      outcome = known || await precheck.checkNow(composer, adapter.platform);
    } finally {
      root.clearTimeout(slow);
      state.holding = null;
      notice.hide();
    }
    const answer = outcome.answer;
    // A cached answer carries the policy of its time: IT may have changed it since. A read slower than
    // this shows the panel with the live copy; the panel follows the policy while open (review.js).
    if (known) await policyStore.within(POLICY_WAIT_MS);
    if (!known && answer.policy) policyStore.accept(answer.policy);
    ctx.policy = policy();
    if (answer.ok && (policy().enforcement === "monitor" || !active())) {
      // IT switched to monitoring (or stopped guarding this site) since the pre-check: let it go.
      postReview.audit(adapter.platform, answer.result.scan_id, "posted");
      replay(composer, how);
      return;
    }
    if (!answer.ok) {
      if (answer.error?.code === "extension_reloaded") { replay(composer, how); return; }
      postReview.onUnreachable(ctx, () => hold(composer, how, null));
      return;
    }
    if (answer.result.verdict === "allow" || dismissedAll(composer, outcome)) {
      if (answer.result.scan_id) postReview.audit(adapter.platform, answer.result.scan_id, "posted");
      replay(composer, how);
      photoNotices.afterCheck(composer, outcome);
      return;
    }
    postReview.showPanel(ctx, dismissals.apply(composer.root, outcome).outcome);
  }

  /** Monitor mode: never hold; the check is audited by the companion, the posting by us. */
  async function monitor(composer) {
    const outcome = await precheck.checkNow(composer, adapter.platform);
    const result = outcome.answer.ok ? outcome.answer.result : null;
    postReview.audit(adapter.platform, result?.scan_id ?? null, "posted", result ? undefined : "unchecked: companion unreachable (monitor)");
  }

  function onClick(event) {
    const path = event.composedPath();
    if (ours(path)) return;
    watchShadowRoots(path);
    const hit = adapter.findSubmit(path[0]);
    if (!hit) return;
    if (hit.kind === "next") { earlyWarning(hit.control); return; }
    const composer = adapter.composerForSubmit(hit.control, hit.kind);
    if (!composer) { adapter.report("missed", "submit"); return; }
    interceptSubmit(event, composer, { via: "click" });
  }

  function onKeydown(event) {
    if (event.isComposing || (event.key !== "Enter" && event.key !== " ")) return;
    const path = event.composedPath();
    if (ours(path)) return;
    const target = path[0];
    const hit = adapter.findSubmit(target);
    if (hit && hit.kind === "next" && hit.control === target) { earlyWarning(hit.control); return; }
    if (hit && hit.control === target) {
      const composer = adapter.composerForSubmit(hit.control, hit.kind);
      if (composer) interceptSubmit(event, composer, { via: "key" });
      return;
    }
    if (event.key !== "Enter") return;
    const editor = adapter.findEditor(target);
    if (!editor) return;
    const composer = composerForEditor(editor);
    if (!composer) return;
    const shortcut = event.ctrlKey || event.metaKey;
    if (shortcut || (composer.enterSubmits && !event.shiftKey && !event.altKey)) {
      interceptSubmit(event, composer, { via: shortcut ? "shortcut" : "enter", target, ctrlKey: event.ctrlKey, metaKey: event.metaKey });
    }
  }

  /** A step before the final Share ("Next"): never held; a notice when the photos already look risky. */
  function earlyWarning(control) {
    if (!active() || policy().enforcement === "monitor") return;
    photoNotices.atNext(adapter, control).catch(() => {});
  }

  function onInput(event) {
    const target = event.composedPath()[0];
    if (target?.tagName === "INPUT") { if (target.type === "file") onFileEvent(event); return; }
    const editor = adapter.findEditor(target);
    if (!editor || !active()) return;
    const composer = composerForEditor(editor);
    if (composer) {
      state.lastRoot = composer.root;
      liveMarks.follow(composer); // underlines stay on the author's words as the text changes
      precheck.schedule(composer, adapter.platform);
    }
  }

  /** Photos are reviewed at attach time (content/core/photo-intake.js) wherever a post can be held. */
  function reviewsPhotos() {
    return active() && policy().enforcement !== "monitor" && !photoIntake.isReleasing();
  }

  function imageComposerFor(node) {
    const rootEl = adapter.rootOf(node) || (state.lastRoot?.isConnected ? state.lastRoot : null);
    if (!rootEl) return null;
    const editor = adapter.findEditor(node) || [...rootEl.querySelectorAll(adapter.editorSelector)].pop() || null;
    return { editor, root: rootEl, submit: null };
  }

  function onFileEvent(event) {
    const input = event.composedPath()[0];
    if (input?.tagName !== "INPUT" || input.type !== "file" || !input.files?.length) return;
    if (seenFileLists.get(input) === input.files) return;
    const composer = imageComposerFor(input);
    if (!composer) { seenFileLists.set(input, input.files); adapter.report("missed", "image"); return; }
    if (imageStore.isSwapping(composer.root)) return;
    if (reviewsPhotos() && photoIntake.take(event, { kind: "change", input }, composer, adapter)) return;
    seenFileLists.set(input, input.files);
    adapter.report("matched", "image");
    imageStore.attach(composer.root, input.files, { input, replace: true });
    if (active()) precheck.schedule(composer, adapter.platform, 30);
  }

  function onTransfer(event) {
    const files = (event.clipboardData || event.dataTransfer)?.files;
    if (!files?.length) return;
    const composer = imageComposerFor(event.composedPath()[0]);
    if (!composer) return;
    if (reviewsPhotos() && photoIntake.take(event, { kind: event.type }, composer, adapter)) return;
    imageStore.attach(composer.root, files);
    if (active()) precheck.schedule(composer, adapter.platform, 30);
  }

  /** Registers every listener (idempotent per page: the signal unloads them all). */
  function start() {
    const opts = { capture: true, signal: runtime.signal() };
    precheck.whenAnswered((composer, outcome) => {
      if (!active() || policy().enforcement === "monitor") return;
      photoNotices.afterCheck(composer, outcome);
      findingsCount.answered(composer, outcome);
      // Underline what was found while the user writes; an open panel owns the marks of its answer.
      if (!panelUi.isOpen()) liveMarks.set(composer, outcome);
    });
    findingsCount.start({ adapter, active, replay });
    root.addEventListener("click", onClick, opts);
    root.addEventListener("keydown", onKeydown, opts);
    root.addEventListener("input", onInput, opts);
    // Lexical (Facebook, Instagram) cancels beforeinput and applies the edit itself, so typing there
    // fires no input event at all: beforeinput is what every editor sees for every keystroke.
    root.addEventListener("beforeinput", onInput, opts);
    root.addEventListener("change", onFileEvent, opts);
    root.addEventListener("paste", onTransfer, opts);
    root.addEventListener("drop", onTransfer, opts);
    root.addEventListener("focusin", (e) => watchShadowRoots(e.composedPath()), opts);
    return policyStore.start();
  }

  return { start };
}

export { createGuard };
