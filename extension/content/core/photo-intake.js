/*
 * Photos are reviewed when they are attached, before the site sees them, so a blacked-out copy never
 * has to be swapped in later through controls the site may not have (LinkedIn's input is gone after
 * Next, Instagram's exists only at its first step, remove controls differ from site to site).
 *
 *   capture-phase `input`/`change` on a file input, `paste`, `drop` carrying images
 *     → take: the event is stopped before any site handler runs (the site sees no photo yet)
 *     → check the photos alone (/v1/check through the worker); clean, or the checker unreachable
 *       → hand the original files to the site at once (the Post click still checks the whole post)
 *     → findings → black out their boxes (/v1/redact) and show a preview with Undo
 *       (ui/photo-review.js); the site is handed only what the user accepts: the blacked-out copy,
 *       the original, or nothing ("Remove photo").
 *
 * Handing files over replays what the user did: input.files + `input` + `change` for a picked file,
 * a new `paste` / `drop` event carrying a DataTransfer for pasted and dropped ones, behind the
 * `releasing` flag so our own capture listener lets them through to the site.
 */
import { MESSAGES } from "../../shared/messages.js";
import { imageStore } from "./images.js";
import { postReview } from "./review.js";
import { runtime } from "./runtime.js";
import { existingSession, sessionFor } from "./session.js";
import { t } from "../../ui/i18n.js";
import { notice } from "../../ui/notice.js";
import { photoReview } from "../../ui/photo-review.js";

const root = globalThis;

const taken = new WeakMap(); // file input -> the FileList already taken (its `change` follows its `input`)
let releasing = false;

const isImage = (file) => typeof file?.type === "string" && file.type.startsWith("image/");

/**
 * Takes an attach event away from the site when it carries images. `source` = {kind: "change"|"paste"|
 * "drop", input?}. Returns true when the event was taken (the caller does nothing more with it).
 */
function take(event, source, composer, adapter) {
  if (releasing) return false;
  const transfer = source.kind === "change" ? null : (event.clipboardData || event.dataTransfer);
  const files = Array.from(source.kind === "change" ? source.input.files || [] : transfer?.files || []);
  if (!files.some(isImage)) return false;
  if (source.kind === "change" && taken.get(source.input) === source.input.files) {
    event.stopImmediatePropagation(); // the `change` after the `input` we already took
    return true;
  }
  event.preventDefault();
  event.stopImmediatePropagation();
  let stopper = null;
  if (source.input) {
    taken.set(source.input, source.input.files);
    // Its `change` does not leave a shadow root we may not listen on yet: stop it at the input itself
    // (capture listeners at the target run before the site's own).
    stopper = (e) => { if (!releasing) e.stopImmediatePropagation(); };
    source.input.addEventListener("change", stopper, { capture: true, once: true });
  }
  const review = {
    stopper,
    composer, adapter, files, kind: source.kind, input: source.input || null, fileList: source.input?.files || null,
    target: event.composedPath()[0],
    point: { clientX: event.clientX || 0, clientY: event.clientY || 0 }, extra: textOf(transfer),
  };
  // A photo attached while another is reviewed waits its turn: one review on screen at a time.
  const session = sessionFor(composer.root);
  const before = session.photoReview?.done || Promise.resolve();
  session.photoReview = review;
  review.done = before.then(() => run(review))
    .catch(() => handOver(review, files))
    .finally(() => {
      if (session.photoReview === review) session.photoReview = null;
      if (review.input && taken.get(review.input) === review.fileList) taken.delete(review.input);
    });
  return true;
}

/** Text that came with a pasted image (a copied web page): it must still reach the editor. */
function textOf(transfer) {
  if (!transfer?.types) return [];
  return ["text/plain", "text/html"].filter((type) => transfer.types.includes(type)).map((type) => [type, transfer.getData(type)]);
}

async function run(review) {
  const { composer, adapter } = review;
  const anchor = composer.root || composer.editor;
  const slow = root.setTimeout(() => notice.show(t("noticeCheckingPhoto"), { anchor, kind: "photo-checking" }), 400);
  let answer;
  let read;
  try {
    read = await Promise.all(review.files.map((file) => (isImage(file) ? imageStore.read(file) : null)));
    const images = read.filter(Boolean);
    answer = await runtime.send(MESSAGES.CHECK.type, {
      text: "", images: images.map(({ name, mime, data }) => ({ name, mime, data })), platform: adapter.platform,
      url: root.location ? root.location.origin + root.location.pathname : "",
    });
  } finally {
    root.clearTimeout(slow);
    notice.hide();
  }
  // Unreachable checker or a clean photo: the site gets it now; the Post click applies failMode.
  if (!answer?.ok || answer.result.verdict === "allow") return handOver(review, review.files);
  const items = riskyItems(read, answer.result.findings || []);
  if (!items.length) return handOver(review, review.files);
  await Promise.all(items.map((item) => blackOut(item)));
  review.asked = true;
  const choices = await photoReview.ask({ composer, items, anchor });
  const files = review.files.flatMap((file) => {
    const item = items.find((it) => it.file === file);
    if (!item) return [file];
    if (choices.get(item) === "removed") return [];
    return [choices.get(item) === "redacted" ? item.redacted : file];
  });
  const action = items.some((it) => choices.get(it) === "redacted") ? "redacted"
    : items.every((it) => choices.get(it) === "removed") ? "cancelled" : null;
  if (action) postReview.audit(adapter.platform, answer.result.scan_id, action);
  handOver(review, files);
  if (files.length) notice.show(t(action === "redacted" ? "noticePhotoBlackedOut" : "noticePhotoKept"), { anchor, timeoutMs: 5000, kind: "photo-done" });
  return files;
}

/** The photos with findings: [{index, file, image, findings, boxes}] (index = place among the images sent). */
function riskyItems(read, findings) {
  const images = read.filter(Boolean);
  const items = [];
  images.forEach((image, index) => {
    const own = findings.filter((f) => f.source === "image" && (f.image_index || 0) === index);
    if (!own.length) return;
    const boxes = own.filter((f) => Array.isArray(f.bbox)).map((f) => f.bbox);
    items.push({ index, file: image.file, image, findings: own, boxes, redacted: null });
  });
  return items;
}

/** Asks the companion for a blacked-out copy (same name, type and size); leaves `redacted` null when it cannot. */
async function blackOut(item) {
  if (!item.boxes.length) return;
  const answer = await runtime.send(MESSAGES.REDACT_IMAGE.type, {
    image: { name: item.image.name, mime: item.image.mime, data: item.image.data }, boxes: item.boxes,
  });
  if (answer.ok && answer.image?.data) item.redacted = imageStore.fromBase64(answer.image.data, item.image.name, answer.image.mime || item.image.mime);
}

/** Gives the site `files` the way the user's own action would have. */
function handOver(review, files) {
  const transfer = new root.DataTransfer();
  files.forEach((file) => transfer.items.add(file));
  releasing = true;
  try {
    if (review.kind === "change") handOverToInput(review, transfer);
    else if (files.length) redispatch(review, transfer);
  } finally {
    releasing = false;
  }
  return files;
}

function handOverToInput(review, transfer) {
  const { composer, adapter } = review;
  const input = (review.input?.isConnected && review.input) || composer.root?.querySelector(adapter.fileInputSelector);
  if (!input) { adapter.report("missed", "image"); return; }
  if (!transfer.files.length) {
    input.value = ""; // nothing accepted: the site never hears of the pick
    review.input?.removeEventListener("change", review.stopper, { capture: true });
    return;
  }
  input.files = transfer.files;
  input.dispatchEvent(new root.Event("input", { bubbles: true, composed: true }));
  input.dispatchEvent(new root.Event("change", { bubbles: true }));
}

function redispatch(review, transfer) {
  for (const [type, data] of review.extra) transfer.setData(type, data);
  const target = (review.target?.isConnected && review.target) || review.composer.editor || review.composer.root;
  const init = { bubbles: true, cancelable: true, composed: true };
  const event = review.kind === "paste"
    ? new root.ClipboardEvent("paste", { ...init, clipboardData: transfer })
    : new root.DragEvent("drop", { ...init, ...review.point, dataTransfer: transfer });
  target?.dispatchEvent(event);
}

/** The review under way for a composer root, or null (a Post click waits for it). */
function pendingFor(rootEl) {
  return existingSession(rootEl)?.photoReview || null;
}

export const photoIntake = { take, pendingFor, isReleasing: () => releasing };
