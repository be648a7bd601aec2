/*
 * The reaction guard: holds a like, reaction, repost, share or comment on a risky post (its author on
 * the competitor or client list, or red-line text) and says why in a small card.
 *
 * Speed: a post is checked before the click, when it scrolls into view (IntersectionObserver) or is
 * hovered, and the answer is cached by post id, so the click itself is decided synchronously in the
 * capture phase: a harmless post's click goes straight through. Only a click on a post whose check has
 * not answered yet is held until it does (then replayed if harmless). The checks, their batching and
 * cache are reaction-checks.js's; what the card says, reaction-wording.js's; the card, reaction-card.js.
 *
 * A comment sent from a comment box already open under a post (LinkedIn's "Comment", Facebook's
 * Enter, Instagram's "Post" or Enter) is the composer guard's send, which asks `commentGate`
 * (comment-gate.js) first: that send is decided here, with the post's check, on one card. A comment
 * the user went ahead with (or that was recorded as monitored) marks the post's check `commented`: its
 * Comment button and later sends are not held for the post again.
 *
 * Never held: taking a reaction back (the adapter says `turnsOn: false`), and anything the adapter does
 * not know as a guarded control. A confirmed click is replayed with `el.click()` (or the double click),
 * and that one event passes (the bypass set). Lifecycle: constructing does nothing; start() once;
 * everything is registered with the runtime's AbortController and goes when the extension unloads.
 */
import { policyStore } from "../core/policy-store.js";
import { runtime } from "../core/runtime.js";
import { createCommentGate } from "./comment-gate.js";
import { reactionCard } from "./reaction-card.js";
import { createReactionChecks } from "./reaction-checks.js";
import { reactionPolicy } from "./reaction-policy.js";
import { reactionWording } from "./reaction-wording.js";
import { MESSAGES } from "../../shared/messages.js";
import { joinSentences, t } from "../../ui/i18n.js";

const root = globalThis;

const POLICY_WAIT_MS = 60;

function createReactionGuard(adapter) {
  const { precheck, stop: stopChecks } = createReactionChecks(adapter);
  const seen = new WeakSet(); // posts handed to the IntersectionObserver
  const bypass = new WeakSet(); // controls whose next event is our own replay
  let lastPost = null;
  let started = false;

  const idOf = (post) => adapter.postId(post) || null;

  function observePosts(observer) {
    for (const post of root.document.querySelectorAll(adapter.posts)) {
      if (seen.has(post) || adapter.postOf(post) !== post) continue;
      seen.add(post);
      observer.observe(post);
    }
  }

  /** Audits what the user did; `entry` is the post's check (its answer and who the user acted as). */
  function record(ctl, post, decision, entry, justification) {
    const who = adapter.author(post);
    const risk = entry?.risk;
    const payload = {
      site: adapter.id, action: ctl.action, decision, reasons: risk?.reasons || [], red_line: risk?.red_line || [],
      author_name: who.name || "", author_handle: who.handle || "", post_id: idOf(post) || "", justification: justification || null,
    };
    if (entry?.acting) payload.acting_as = entry.acting;
    if (ctl.action === "comment" && entry && (decision === "overridden" || decision === "monitored")) entry.commented = true;
    runtime.send(MESSAGES.REACTION.type, payload);
  }

  function replay(ctl) {
    bypass.add(ctl.el);
    if (ctl.doubleTap) {
      ctl.el.dispatchEvent(new root.MouseEvent("dblclick", { bubbles: true, cancelable: true, composed: true, detail: 2 }));
    } else {
      ctl.el.click();
    }
  }

  function enabled() {
    const { sites } = policyStore.current();
    return !Array.isArray(sites) || sites.includes(adapter.id);
  }

  /** What the card says about a risky post: the identity line (or "") and the reasons. */
  function explain(ctl, post, entry) {
    return reactionWording.explain(ctl, adapter.author(post), entry);
  }

  /** Shows the card for a held click on a risky post, at `level` warn or block. */
  function holdRisky(ctl, post, entry, level) {
    const override = level === "warn" && policyStore.current().allowOverride !== false;
    reactionCard.show({
      anchor: ctl.el.isConnected ? ctl.el : post,
      avoid: adapter.authorLine(post),
      ...explain(ctl, post, entry),
      note: level === "block" ? t("reactionBlocked") : "",
      block: level === "block",
      overrideLabel: override ? t(`reactionAnyway_${ctl.action}`) : null,
      requireReason: policyStore.current().requireJustification !== false,
      onCancel: () => record(ctl, post, "cancelled", entry),
      onConfirm: (reason) => { record(ctl, post, "overridden", entry, reason); replay(ctl); },
    });
  }

  function holdUnchecked(ctl) {
    const { supportUrl } = policyStore.current();
    const support = supportUrl ? t("reactionContactIt", [supportUrl]) : t("reactionContactItTeam");
    reactionCard.show({
      anchor: ctl.el, message: joinSentences(t("reactionCheckerDown"), support), block: true,
      overrideLabel: null, onCancel: () => {}, onConfirm: () => {},
    });
  }

  /** Applies policy to a checked post; returns true when the click may go through now. */
  function decide(ctl, post, entry, { replayIfAllowed }) {
    if (!entry.risk) {
      if (policyStore.current().failMode === "closed") { holdUnchecked(ctl); return false; }
      record(ctl, post, "allowed_unchecked", entry);
      if (replayIfAllowed) replay(ctl);
      return true;
    }
    const level = reactionPolicy.levelForRisk(policyStore.current(), ctl.action, entry.risk);
    if (level === "allow" || level === "monitor") {
      if (level === "monitor") record(ctl, post, "monitored", entry);
      if (replayIfAllowed) replay(ctl);
      return true;
    }
    holdRisky(ctl, post, entry, level);
    return false;
  }

  function onAction(event, ctl) {
    if (!ctl || !ctl.turnsOn || !enabled()) return;
    if (bypass.has(ctl.el)) { bypass.delete(ctl.el); return; }
    const post = adapter.postOf(ctl.el) || lastPost;
    if (!post) return;
    const entry = precheck(post, true);
    if (!entry || (entry.commented && ctl.action === "comment")) return;
    if (entry.risk) {
      // Checked already: a harmless or monitored post's click is left alone (the site gets the user's
      // own, trusted click); only a held one is stopped.
      const level = reactionPolicy.levelForRisk(policyStore.current(), ctl.action, entry.risk);
      if (level === "allow" || level === "monitor") { decide(ctl, post, entry, { replayIfAllowed: false }); return; }
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    if (entry.risk) { decide(ctl, post, entry, { replayIfAllowed: true }); return; }
    entry.promise.then(async (done) => {
      if (!done.risk) await policyStore.within(POLICY_WAIT_MS);
      decide(ctl, post, done, { replayIfAllowed: true });
    });
  }

  function start(signal) {
    if (started) return;
    started = true;
    const options = { capture: true, signal };
    root.addEventListener("click", (event) => onAction(event, adapter.control(event.target, lastPost, event)), options);
    root.addEventListener("dblclick", (event) => onAction(event, adapter.doubleTap(event.target)), options);
    root.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") onAction(event, adapter.control(event.target, lastPost, event));
    }, options);
    root.addEventListener("pointerover", (event) => {
      const post = event.target?.closest ? adapter.postOf(event.target) : null;
      if (post) { lastPost = post; precheck(post); }
    }, options);
    // No IntersectionObserver (an old engine, a test DOM): posts are then checked on hover and click only.
    // A post handed to a check is no longer watched (the observer's work per frame grows with what it
    // watches, and the feed is long); one whose check failed is watched again.
    const visible = root.IntersectionObserver ? new root.IntersectionObserver((entries) => {
      for (const item of entries) {
        if (!item.isIntersecting) continue;
        visible.unobserve(item.target);
        precheck(item.target)?.promise.then((done) => { if (done.failed && item.target.isConnected) visible.observe(item.target); });
      }
    }, { rootMargin: "200px 0px" }) : { observe() {}, unobserve() {}, disconnect() {} };
    let scan = 0;
    const mutations = new root.MutationObserver(() => {
      if (!scan) scan = root.setTimeout(() => { scan = 0; observePosts(visible); }, 100);
    });
    const begin = () => {
      observePosts(visible);
      mutations.observe(root.document.body, { childList: true, subtree: true });
    };
    if (root.document.body) begin(); else root.addEventListener("DOMContentLoaded", begin, { once: true, signal });
    runtime.onDetach(() => {
      visible.disconnect();
      mutations.disconnect();
      reactionCard.close();
      stopChecks();
    });
    policyStore.start();
  }

  const commentGate = createCommentGate({ adapter, enabled, precheck, record, explain, holdUnchecked });
  return { start, commentGate };
}

export { createReactionGuard };
