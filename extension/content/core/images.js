/*
 * The photos attached to a composer: captured as File objects from file-input `change`/`input`,
 * `paste` (clipboardData.files) and `drop` (dataTransfer.files), read to base64 once, hashed once
 * (SHA-256) so the pre-check cache can key on them, and kept in the composer's session (by its root,
 * the dialog), because Instagram shows the original file only at its first step.
 *
 * Redacting a photo swaps the attached file the way a user's own pick would: the original taken off
 * through the site's own remove control where the site adds picks to the post, then a DataTransfer with
 * the new File assigned to input.files and `input` + `change` events, so the site's own upload code
 * takes the redacted bytes.
 */
import { dom } from "./adapter-base.js";
import { existingSession, sessionFor } from "./session.js";

const root = globalThis;

const MAX_IMAGES = 10;

/** The photos of a composer's session, made on the first photo. */
function stateOf(composerRoot) {
  const session = sessionFor(composerRoot);
  if (!session.photos) {
    const ready = Promise.resolve();
    session.photos = { images: [], ready, settled: ready, swapping: false };
  }
  return session.photos;
}

const photosOf = (composerRoot) => existingSession(composerRoot)?.photos || null;

function isImageFile(file) {
  return file && typeof file.type === "string" && file.type.startsWith("image/");
}

async function readFile(file) {
  const buffer = await file.arrayBuffer();
  const digest = await root.crypto.subtle.digest("SHA-256", buffer);
  const hash = Array.from(ownBytes(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  return { name: file.name || "image", mime: file.type, data: toBase64(ownBytes(buffer)), hash, file };
}

/**
 * The bytes of a buffer as a Uint8Array of this script's own. In Firefox a content script gets the
 * page's ArrayBuffer (from a File the page holds) behind a wrapper, and a view on it refuses
 * `subarray` ("Permission denied to access property \"constructor\"", seen 2026-12-04 in Firefox
 * ESR 153); copying the bytes into a view made here works in both browsers.
 */
function ownBytes(buffer) {
  const view = new Uint8Array(buffer);
  const bytes = new Uint8Array(view.length);
  bytes.set(view);
  return bytes;
}

/** Base64 in chunks: String.fromCharCode on a 5 MB photo at once overflows the call stack. */
function toBase64(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return root.btoa(binary);
}

/**
 * Records files for a composer root. `replace` (a file input's new selection replacing what that
 * input gave before) vs append (paste/drop add to the post). Returns a promise for when they are read.
 */
function attach(composerRoot, files, { input = null, replace = false } = {}) {
  const images = Array.from(files || []).filter(isImageFile);
  if (!composerRoot || !images.length) return Promise.resolve(false);
  const state = stateOf(composerRoot);
  const reading = Promise.all(images.map(readFile));
  state.ready = state.ready.then(() => reading).then((read) => {
    const kept = replace && input ? state.images.filter((img) => img.input !== input) : state.images;
    const known = new Set(kept.map((img) => img.hash));
    const added = read.filter((img) => !known.has(img.hash)).map((img) => ({ ...img, input }));
    state.images = [...kept, ...added].slice(-MAX_IMAGES);
    return true;
  }).catch(() => false);
  markSettled(composerRoot);
  return state.ready;
}

/** The composer's images once every pending read has finished. */
async function imagesOf(composerRoot) {
  if (!photosOf(composerRoot)) return [];
  const state = stateOf(composerRoot);
  await state.ready;
  return state.images;
}

/** The images synchronously (for the cache key at click time), or null while some are still being read. */
function imagesNow(composerRoot) {
  const state = photosOf(composerRoot);
  if (!state) return [];
  return state.settled === state.ready ? state.images : null;
}

function markSettled(composerRoot) {
  const state = photosOf(composerRoot);
  if (!state) return;
  const ready = state.ready;
  ready.then(() => { if (state.ready === ready) state.settled = ready; });
}

function fromBase64(data, name, mime) {
  const binary = root.atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return new root.File([bytes], name, { type: mime, lastModified: Date.now() });
}

/**
 * Replaces the photo whose SHA-256 is `originalHash` with redacted bytes and hands the new file to the
 * site the way a user's own pick would (by hash, not position: a swap may reorder the photos).
 * Returns true when the site was given the redacted file.
 */
async function swap(composerRoot, adapter, originalHash, redacted) {
  const state = stateOf(composerRoot);
  await state.ready;
  const index = state.images.findIndex((img) => img.hash === originalHash);
  const original = state.images[index];
  if (!original) return false;
  const replacement = await readFile(fromBase64(redacted.data, original.name, redacted.mime || original.mime));
  const plan = planSwap(composerRoot, adapter.spec.removeImage, state.images, index, replacement);
  if (!plan) { adapter.report?.("missed", "image"); return false; }
  // No input to hand the copy to (LinkedIn drops it after Next): leave the post as it is, photo included.
  const inputNow = () => (original.input?.isConnected && original.input) || composerRoot.querySelector(adapter.fileInputSelector);
  if (!inputNow()) { adapter.report?.("missed", "image"); return false; }
  plan.remover?.click();
  if (plan.remover) await new Promise((resolve) => root.setTimeout(resolve, 0)); // the site re-renders
  const input = inputNow();
  if (!input) return false;
  state.images = plan.images.map((img) => (plan.handOver.includes(img) ? { ...img, input } : img));
  markSettled(composerRoot);
  handOver(state, input, plan.handOver.map((img) => img.file));
  return true;
}

/**
 * How to put the redacted photo in the original's place. Sites that ADD picked files to the post
 * (LinkedIn, Facebook) need the original taken off first through their own control: one per photo
 * (removes "one": click that photo's, hand over the replacement) or one for the whole attachment
 * (removes "all": click it, hand over every photo again in order). Sites that REPLACE the selection
 * (Instagram) take the input's full new set. Null when the site's controls do not match the photos we
 * know of (removing the wrong one, or a video we never saw, would be worse than not swapping).
 */
function planSwap(composerRoot, removal, images, index, replacement) {
  const swapped = images.map((img, i) => (i === index ? { ...replacement, input: img.input } : img));
  if (!removal) {
    const input = images[index].input;
    return { remover: null, images: swapped, handOver: swapped.filter((img) => img.input === input) };
  }
  const removers = [...composerRoot.querySelectorAll(removal.selector)].filter((el) => dom?.isVisible?.(el) ?? true);
  if (removal.removes === "all" && removers.length === 1) {
    return { remover: removers[0], images: swapped, handOver: swapped };
  }
  if (removal.removes === "one" && removers.length === images.length) {
    const added = swapped[index];
    const kept = swapped.filter((_img, i) => i !== index);
    return { remover: removers[index], images: [...kept, added], handOver: [added] };
  }
  return null;
}

/**
 * Takes photos off the post through the site's own remove control, when a blacked-out copy cannot be
 * swapped in: the photos whose SHA-256 is in `hashes` where the site has one control per photo (and
 * as many as we know photos), every photo where its one control removes the whole attachment.
 * Returns the number of photos taken off (0 when the site shows no such control).
 */
async function removeFromSite(composerRoot, adapter, hashes) {
  const state = stateOf(composerRoot);
  await state.ready;
  const removal = adapter.spec.removeImage;
  if (!removal) return 0;
  const removers = [...composerRoot.querySelectorAll(removal.selector)].filter((el) => dom?.isVisible?.(el) ?? true);
  let gone = [];
  if (removal.removes === "all" && removers.length === 1) {
    removers[0].click();
    gone = state.images;
  } else if (removal.removes === "one" && removers.length === state.images.length) {
    const picked = state.images.map((img, i) => [img, removers[i]]).filter(([img]) => hashes.includes(img.hash));
    picked.reverse().forEach(([, control]) => control.click());
    gone = picked.map(([img]) => img);
  }
  if (!gone.length) { adapter.report?.("missed", "image"); return 0; }
  state.images = state.images.filter((img) => !gone.includes(img));
  markSettled(composerRoot);
  return gone.length;
}

/** input.files = the new set, then `input` + `change` as a user's pick fires them. */
function handOver(state, input, files) {
  const transfer = new root.DataTransfer();
  files.forEach((file) => transfer.items.add(file));
  state.swapping = true;
  try {
    input.files = transfer.files;
    input.dispatchEvent(new root.Event("input", { bubbles: true, composed: true }));
    input.dispatchEvent(new root.Event("change", { bubbles: true }));
  } finally {
    state.swapping = false;
  }
}

/** True while `swap` is handing files to the site (our own change listener must not re-read them). */
function isSwapping(composerRoot) {
  return Boolean(photosOf(composerRoot)?.swapping);
}

export const imageStore = { attach, imagesOf, imagesNow, swap, removeFromSite, isSwapping, read: readFile, fromBase64 };
