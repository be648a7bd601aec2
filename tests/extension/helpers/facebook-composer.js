/**
 * The Facebook composer fixture with the real content scripts and a fake worker, shared by the
 * guard's and the count badge's tests: a post with "USD" in it has one pricing finding, any other
 * is clean. `until()` polls for the state a test asserts, so a busy machine only makes it slower.
 */
import assert from "node:assert/strict";
import { loadSite } from "./content-dom.js";
import { createChromeFake } from "./chrome-fake.js";

export const wait = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * `scanId(text)` names a risky check's scan (one per text where a test tells decisions apart).
 * `incomplete(text, n)`: whether the n-th answer (from 0) for `text` says the companion ran out of time.
 */
export function facebookPage({ policy = {}, unreachable = false, checkDelayMs = 0, locale = "en", scanId = () => "risky",
  incomplete = () => false } = {}) {
  const sent = [];
  const answered = []; // texts whose check the worker has answered
  // live.policyGate: while set to a promise, policy reads wait for it (a slow worker, under the
  // test's control rather than the clock's); live.heldPolicyReads counts reads still waiting.
  const live = { policyGate: null, heldPolicyReads: 0, policy: { enforcement: "warn", failMode: "open", allowOverride: true, requireJustification: true, sites: ["facebook"], supportUrl: "", ...policy } };
  const chrome = createChromeFake({
    locale,
    onMessage: async (message) => {
      sent.push(message);
      if (message.type === "policy-get") {
        const answer = { ok: true, policy: { ...live.policy }, locked: [] };
        if (live.policyGate) {
          live.heldPolicyReads += 1;
          await live.policyGate;
          live.heldPolicyReads -= 1;
        }
        return answer;
      }
      if (message.type === "check") {
        if (checkDelayMs) await wait(checkDelayMs);
        if (unreachable) return { ok: false, error: { code: "companion_unreachable", message: "down" } };
        const { text } = message.payload;
        const at = text.indexOf("USD");
        const warnings = incomplete(text, answered.filter((t) => t === text).length) ? ["text_incomplete"] : [];
        answered.push(text);
        return { ok: true, result: at < 0 ? { scan_id: "clean", verdict: "allow", findings: [], warnings } : {
          scan_id: scanId(text), verdict: "warn", warnings,
          findings: [{ category: "pricing", severity: "warn", source: "text", start: at, end: at + 8, bbox: null, message: "Price", excerpt: "USD *.**" }] } };
      }
      return { ok: true };
    },
  });
  const win = loadSite("facebook-feed.html", "www.facebook.com", { start: true, chrome });
  const doc = win.document;
  const editor = doc.querySelector('[role="dialog"] [data-lexical-editor]');
  const post = doc.querySelector('[role="dialog"] [aria-label="Post"]');
  const siteClicks = [];
  doc.querySelector('[role="dialog"]').addEventListener("click", (e) => { if (e.target.closest('[aria-label="Post"]')) siteClicks.push(e); });
  const type = (text) => {
    editor.firstChild.replaceChildren(doc.createTextNode(text));
    editor.dispatchEvent(new win.InputEvent("input", { bubbles: true, composed: true }));
  };
  const click = () => post.dispatchEvent(new win.MouseEvent("click", { bubbles: true, cancelable: true, composed: true }));
  const typeByKeys = (text) => {
    // Lexical cancels beforeinput and renders the text itself: no input event reaches anyone.
    editor.dispatchEvent(new win.InputEvent("beforeinput", { bubbles: true, cancelable: true, composed: true, inputType: "insertText", data: text }));
    editor.firstChild.replaceChildren(doc.createTextNode(text));
  };
  const decisions = (action) => sent.filter((m) => m.type === "decision" && m.payload.action === action);
  const badge = () => doc.querySelector('[data-postguard="count"]')?.shadowRoot.querySelector("button.pg-count");
  const panel = () => doc.querySelector('[data-postguard="panel"]')?.shadowRoot;
  return { win, doc, sent, answered, type, typeByKeys, click, siteClicks, chrome, live, editor, decisions, badge, panel };
}

/** Poll until `condition()` holds (5 s deadline): asserts what happens, not how fast on a busy machine. */
export async function until(condition, message, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    assert.ok(Date.now() < deadline, message);
    await wait(10);
  }
}

/** Waits until the worker has answered the pre-check of `text`, and the page has taken the answer in. */
export async function prechecked(page, text) {
  await until(() => page.answered.includes(text), `pre-check of the typed text answered`);
  await wait(10);
}
