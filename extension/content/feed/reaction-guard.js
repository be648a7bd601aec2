/*
 * The reaction guard: holds a like, reaction, repost, share or comment on a risky post (its author on
 * the competitor or client list, or red-line text) and says why in a small card.
 *
 * Speed: a post is checked before the click, when it scrolls into view (IntersectionObserver) or is
 * hovered, and the answer is cached by post id, so the click itself is decided synchronously in the
 * capture phase: a harmless post's click goes straight through. Only a click on a post whose check has
 * not answered yet is held until it does (then replayed if harmless).
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
import { reactionPolicy } from "./reaction-policy.js";
import { MESSAGES, make } from "../../shared/messages.js";
import { joinSentences, t } from "../../ui/i18n.js";

const root = globalThis;

const M = () => MESSAGES;
const MAX_TEXT = 5000;
const CHECKS_IN_FLIGHT = 2;
const BATCH = 8;
const GATHER_MS = 50;
const PRECHECK_PORT = "postguard-reaction-check"; // background/reaction-handlers.js
const POLICY_WAIT_MS = 60;

function createReactionGuard(adapter) {
  const cache = new Map(); // post id -> {promise, risk, failed}
  const seen = new WeakSet(); // posts handed to the IntersectionObserver
  const bypass = new WeakSet(); // controls whose next event is our own replay
  const queue = [];
  let inFlight = 0;
  let port = null;
  const waiting = new Map(); // port request id -> resolve
  let nextId = 0;
  let gatherTimer = 0;
  let lastPost = null;
  let started = false;

  const idOf = (post) => adapter.postId(post) || null;

  /** A post's check is cached under its id and who the user would react as: switching identity is a new check. */
  function describe(post, acting) {
    const author = adapter.author(post);
    const payload = { author_name: author.name || "", author_handle: author.handle || "", text: adapter.text(post).slice(0, MAX_TEXT) };
    if (acting) payload.acting_as = acting;
    return payload;
  }

  /**
   * Sends pre-checks over one long-lived port: a port message costs the page about 0.005 ms, a
   * runtime.sendMessage about 0.45 ms (measured on the loaded 2-core test machine), and a feed is
   * long. A port that drops (the worker stopped) fails what was waiting; the next look at those
   * posts checks them again. Without a port (a test DOM), sendMessage.
   */
  function viaPort(payload) {
    const type = M().REACTION_CHECK.type;
    if (!port && runtime.contextAlive() && root.chrome?.runtime?.connect) {
      try {
        port = root.chrome.runtime.connect({ name: PRECHECK_PORT });
        port.onMessage.addListener((reply) => { waiting.get(reply?.id)?.(reply.answer); waiting.delete(reply?.id); });
        port.onDisconnect.addListener(() => {
          port = null;
          for (const resolve of waiting.values()) resolve({ ok: false, error: { code: "no_answer" } });
          waiting.clear();
        });
      } catch (_err) {
        port = null;
      }
    }
    if (!port) return runtime.send(type, payload);
    return new Promise((resolve) => {
      const id = (nextId += 1);
      waiting.set(id, resolve);
      try {
        port.postMessage({ id, message: make(type, payload) });
      } catch (_err) {
        waiting.delete(id);
        resolve(runtime.send(type, payload));
      }
    });
  }

  /**
   * Runs queued checks in batches of up to BATCH posts, at most CHECKS_IN_FLIGHT batches at a time (a
   * fast scroll must not flood the companion). A click's check goes alone through sendMessage, which
   * retries once when the worker was stopped mid-check.
   */
  function pump() {
    while (inFlight < CHECKS_IN_FLIGHT && queue.length) {
      const urgent = queue[0].urgent;
      const jobs = queue.splice(0, urgent ? 1 : BATCH);
      const payload = { site: adapter.id, posts: jobs.map((job) => job.payload) };
      inFlight += 1;
      (urgent ? runtime.send(M().REACTION_CHECK.type, payload) : viaPort(payload))
        .then((answer) => jobs.forEach((job, i) => job.resolve(answer?.ok
          ? { ok: Boolean(answer.results?.[i]), result: answer.results?.[i], policy: answer.policy, error: answer.results?.[i] ? null : { code: "companion_error" } }
          : answer)), () => jobs.forEach((job) => job.resolve({ ok: false, error: { code: "no_answer" } })))
        .finally(() => { inFlight -= 1; pump(); });
    }
  }

  /** Posts coming into view are gathered for a moment and sent together (a message per post costs the page more). */
  function schedule() {
    if (!gatherTimer) gatherTimer = root.setTimeout(() => { gatherTimer = 0; pump(); }, GATHER_MS);
  }

  /** The cached (or started) check of a post; a failed check is forgotten so the next look retries. */
  function precheck(post, urgent = false) {
    const id = idOf(post);
    if (!id) return null;
    const acting = adapter.identity(post);
    const key = `${id}\n${acting}`;
    const cached = cache.get(key);
    if (cached) {
      const waitingAt = urgent && cached.job ? queue.indexOf(cached.job) : -1;
      if (waitingAt > 0 || (waitingAt === 0 && !cached.job.urgent)) { // clicked while still queued: it goes next
        queue.splice(waitingAt, 1);
        cached.job.urgent = true;
        queue.unshift(cached.job);
        pump();
      }
      return cached;
    }
    const entry = { risk: null, failed: null, post, acting };
    entry.promise = new Promise((resolve) => {
      const job = { payload: describe(post, acting), resolve, urgent };
      entry.job = job;
      if (urgent) { queue.unshift(job); pump(); } else { queue.push(job); schedule(); }
    }).then((answer) => {
      if (answer?.policy) policyStore.accept(answer.policy, { orgCells: true });
      if (answer?.ok) entry.risk = answer.result;
      else { entry.failed = answer?.error?.code || "no_answer"; cache.delete(key); }
      return entry;
    });
    cache.set(key, entry);
    return entry;
  }

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
    runtime.send(M().REACTION.type, payload);
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

  /** The name the page shows; with the list's name beside it when the page shows only a handle. */
  function displayName(author, listed) {
    const shown = author.name || author.handle || "";
    const squash = (value) => value.toLowerCase().replace(/[^\p{L}\p{N}]/gu, "");
    if (!listed?.name || squash(shown).includes(squash(listed.name))) return shown || listed?.name || "";
    return shown ? `${shown} (${listed.name})` : listed.name;
  }

  function nounOf(ctl) {
    return t(ctl.action === "react" && ctl.reaction && ctl.reaction !== "like" ? "reactionNoun_reaction" : `reactionNoun_${ctl.action}`);
  }

  function message(ctl, post, risk) {
    const noun = nounOf(ctl);
    const who = displayName(adapter.author(post), risk.listed);
    const lines = [];
    if (risk.reasons.includes("competitor")) lines.push(t("reactionWhyCompetitor", [who, noun]));
    if (risk.reasons.includes("client")) lines.push(t("reactionWhyClient", [who, noun]));
    if (risk.reasons.includes("red_line")) {
      const key = risk.red_line?.includes("sensitive_topic") ? "reactionWhyRedLine" : "reactionWhyDisparagement";
      lines.push(t(key, [noun]));
    }
    return lines.reduce((all, line) => (all ? joinSentences(all, line) : line), "");
  }

  /** What the card says about a risky post: the identity line (or "") and the reasons. */
  function explain(ctl, post, entry) {
    return {
      // Said first, on its own line: of everything on the card, the identity is what the user can change at once.
      identity: reactionPolicy.asCompanyMatters(entry.risk)
        ? t("reactionActingAsCompany", [entry.risk.acting.name, nounOf(ctl)]) : "",
      message: message(ctl, post, entry.risk),
    };
  }

  /** Shows the card for a held click on a risky post, at `level` warn or block. */
  function holdRisky(ctl, post, entry, level) {
    const override = level === "warn" && policyStore.current().allowOverride !== false;
    reactionCard.show({
      anchor: ctl.el.isConnected ? ctl.el : post,
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
      try { port?.disconnect(); } catch (_err) { /* already gone */ }
    });
    policyStore.start();
  }

  const commentGate = createCommentGate({ adapter, enabled, precheck, record, explain, holdUnchecked });
  return { start, commentGate };
}

export { createReactionGuard };
