/*
 * Pre-check: checks the post while the user writes (debounced) and as soon as a photo is attached,
 * and caches the answer by text + photo hashes, so that at the Post click the answer is usually
 * already there and a clean post goes out with no wait at all.
 *
 * Per keystroke the guard only moves the pre-check's due time (schedule); the text is read once the
 * user pauses.
 *
 * A very long post may not be read whole within the companion's time budget (the answer says
 * `text_incomplete`). The companion keeps what it read, so the same text checked again reads on
 * from there: the background pre-check asks again, up to READ_ON_ROUNDS times, and tells the page
 * only once the answer is whole or the rounds are spent. A click meanwhile waits for the round in
 * flight instead of taking the partial answer.
 */
import { adapters } from "./adapter-base.js";
import { imageStore } from "./images.js";
import { runtime } from "./runtime.js";
import { sessionFor } from "./session.js";
import { editorText } from "./text.js";
import { MESSAGES } from "../../shared/messages.js";

const root = globalThis;

const DEBOUNCE_MS = 350;
const CACHE_SIZE = 24;
// Checks of the same text after a `text_incomplete` answer: with the 1.5 s budget, three more
// rounds read about 100,000 characters of Chinese, the size limit (English costs half as much).
const READ_ON_ROUNDS = 3;
const cache = new Map(); // key -> {promise, answer|undefined}

/** Reads what would be posted right now: {text, extracted}. */
function readText(composer) {
  const editor = composer.editor;
  if (!editor) return { text: "", extracted: null };
  if (editor.tagName === "TEXTAREA") return { text: editor.value, extracted: null };
  const extracted = editorText.extract(editor);
  return { text: extracted.text, extracted };
}

/** The cache key of a post: its exact text and the hashes of its photos. */
function keyFor(text, images) {
  return `${images.map((img) => img.hash).join(",")}\u0000${text}`;
}

function remember(key, entry) {
  cache.delete(key);
  cache.set(key, entry);
  while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value);
}

/** The settled answer for a key, or undefined when none (or still in flight). */
function settled(key) {
  return cache.get(key)?.answer;
}

/** Who the user posts as from this composer, per the site's adapter ("" when the page does not say). */
function actingAs(composer, platform) {
  const adapter = Object.values(adapters || {}).find((a) => a.platform === platform);
  return adapter?.actingIdentity ? adapter.actingIdentity(composer.root) : "";
}

/** The cache key with the acting identity: switching account makes the same post a new check. */
const checkKey = (text, images, acting) => (acting ? `${keyFor(text, images)}\u0001${acting}` : keyFor(text, images));

/** Whether the companion ran out of time before it had read the whole text. */
function incomplete(answer) {
  return Boolean(answer?.ok && answer.result?.warnings?.includes("text_incomplete"));
}

/**
 * Starts (or joins) the check of this exact content. Answers like runtime.send. With `readOn`, an
 * answer already here that says the text was not read whole is asked for again (see the top).
 */
function checkContent(key, text, images, platform, acting = "", readOn = false) {
  const existing = cache.get(key);
  if (existing && !(readOn && incomplete(existing.answer))) return existing.promise;
  const entry = { answer: undefined, promise: null };
  entry.promise = runtime.send(MESSAGES.CHECK.type, {
    text,
    images: images.map(({ name, mime, data }) => ({ name, mime, data })),
    platform,
    url: root.location ? root.location.origin + root.location.pathname : "",
    ...(acting ? { actingAs: acting } : {}),
  }).then((answer) => {
    if (answer.ok) entry.answer = answer;
    else cache.delete(key); // failures are retried on the next attempt, never cached
    return answer;
  });
  remember(key, entry);
  return entry.promise;
}

/** Checks a composer's current content now. Resolves to {key, text, extracted, images, answer}. */
async function checkNow(composer, platform, { readOn = false } = {}) {
  const images = await imageStore.imagesOf(composer.root);
  const { text, extracted } = readText(composer);
  const acting = actingAs(composer, platform);
  const key = checkKey(text, images, acting);
  if (!text.trim() && !images.length) return { key, text, extracted, images, answer: { ok: true, result: emptyResult() } };
  const answer = await checkContent(key, text, images, platform, acting, readOn);
  return { key, text, extracted, images, answer };
}

/** The answer for an empty post: nothing to check. */
function emptyResult() {
  return { scan_id: null, verdict: "allow", findings: [], empty: true };
}

/**
 * Synchronous look-up at click time: the cached answer when the content is exactly what was
 * checked, else null (photos still being read count as unknown).
 */
function lookupNow(composer, platform) {
  const images = imageStore.imagesNow(composer.root);
  if (images === null) return null;
  const { text, extracted } = readText(composer);
  const key = checkKey(text, images, platform ? actingAs(composer, platform) : "");
  if (!text.trim() && !images.length) return { key, text, extracted, images, answer: { ok: true, result: emptyResult() } };
  const answer = settled(key);
  return answer ? { key, text, extracted, images, answer } : null;
}

/**
 * Records `answer` for exactly this content, as this composer will look it up at the Post click
 * (its acting identity included): an approval of the draft lets Post through without a new check.
 */
function settle(composer, platform, text, images, answer) {
  const key = checkKey(text, images, platform ? actingAs(composer, platform) : "");
  cache.delete(key);
  cache.set(key, { answer, promise: Promise.resolve(answer) });
}

/**
 * One background pre-check per composer at a time: a photo's OCR takes seconds, and a new request
 * for every pause in typing would queue OCR runs of the same photo in the companion. Changes made
 * meanwhile are checked once the running pre-check answers — with the composer as last seen (a photo
 * picked before the caption editor existed must not make the re-run read no caption).
 */
function runBackground(composer, platform, readOn = false) {
  const state = sessionFor(composer.root).precheck;
  if (state.running) { state.running.again = composer; return; }
  const marker = { again: null, readOn: false };
  state.running = marker;
  checkNow(composer, platform, { readOn }).then((outcome) => {
    if (incomplete(outcome.answer) && readOnAgain(state, outcome.key)) {
      marker.again = marker.again || composer;
      marker.readOn = true;
      return;
    }
    answerListener?.(composer, outcome);
  }).catch(() => {}).finally(() => {
    state.running = null;
    if (marker.again && !runtime.detached) runBackground(marker.again, platform, marker.readOn);
  });
}

/** Whether the text under `key` gets one more round (counted per text: a new text starts again). */
function readOnAgain(state, key) {
  if (state.readOn?.key !== key) state.readOn = { key, rounds: 0 };
  if (state.readOn.rounds >= READ_ON_ROUNDS) return false;
  state.readOn.rounds += 1;
  return true;
}

/**
 * Puts the composer's pre-check `delay` ms from now (called on every keystroke). A keystroke only moves
 * the due time: the timer already set, when it fires early, sets itself again for the rest, so typing
 * costs no timer calls (each one a wrapper crossing in Firefox's content scripts). A shorter delay
 * than the timer's (a photo attached) sets a new one.
 */
function schedule(composer, platform, delay = DEBOUNCE_MS) {
  const state = sessionFor(composer.root).precheck;
  const now = root.performance.now();
  Object.assign(state, { due: now + delay, composer, platform });
  if (state.timer && state.firesAt <= state.due) return;
  if (state.timer) root.clearTimeout(state.timer);
  arm(state, delay, now);
}

function arm(state, delay, now) {
  state.firesAt = now + delay;
  state.timer = root.setTimeout(() => {
    const rest = state.due - root.performance.now();
    if (rest > 1) { arm(state, rest, root.performance.now()); return; }
    state.timer = 0;
    if (!runtime.detached) runBackground(state.composer, state.platform);
  }, delay);
}

let answerListener = null;

/** Sets the one listener `(composer, outcome)` called when a background pre-check answers (the guard's). */
function whenAnswered(listener) {
  answerListener = listener;
}

export const precheck = { readText, checkNow, lookupNow, settle, schedule, whenAnswered };
