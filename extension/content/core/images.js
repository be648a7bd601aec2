/*
 * The photos attached to a composer: captured as File objects from file-input `change`/`input`,
 * `paste` (clipboardData.files) and `drop` (dataTransfer.files), read to base64 once, hashed once
 * (SHA-256) so the pre-check cache can key on them, and kept per composer root (the dialog), because
 * Instagram shows the original file only at its first step.
 *
 * Redacting a photo swaps the attached file the way a user's own pick would: a DataTransfer with the
 * new File, assigned to input.files, then `input` and `change` events, so the site's own upload code
 * takes the redacted bytes.
 */
(function defineImages(root) {
  "use strict";
  const pg = (root.postguard = root.postguard || {});
  const byRoot = new WeakMap();
  const MAX_IMAGES = 10;

  function stateOf(composerRoot) {
    let state = byRoot.get(composerRoot);
    if (!state) {
      const ready = Promise.resolve();
      state = { images: [], ready, settled: ready };
      byRoot.set(composerRoot, state);
    }
    return state;
  }

  function isImageFile(file) {
    return file && typeof file.type === "string" && file.type.startsWith("image/");
  }

  async function readFile(file) {
    const buffer = await file.arrayBuffer();
    const digest = await root.crypto.subtle.digest("SHA-256", buffer);
    const hash = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
    return { name: file.name || "image", mime: file.type, data: toBase64(new Uint8Array(buffer)), hash, file };
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
    if (!composerRoot || !byRoot.has(composerRoot)) return [];
    const state = stateOf(composerRoot);
    await state.ready;
    return state.images;
  }

  /** The images synchronously (for the cache key at click time), or null while some are still being read. */
  function imagesNow(composerRoot) {
    const state = composerRoot && byRoot.get(composerRoot);
    if (!state) return [];
    return state.settled === state.ready ? state.images : null;
  }

  function markSettled(composerRoot) {
    const state = byRoot.get(composerRoot);
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
   * Replaces image `index` of a composer with redacted bytes and hands the new file to the site
   * through the input it came from (or any file input in the composer). Returns true when swapped.
   */
  async function swap(composerRoot, adapter, index, redacted) {
    const state = stateOf(composerRoot);
    await state.ready;
    const original = state.images[index];
    if (!original) return false;
    const file = fromBase64(redacted.data, original.name, redacted.mime || original.mime);
    const input = (original.input?.isConnected && original.input) || composerRoot.querySelector(adapter.fileInputSelector);
    const replacement = await readFile(file);
    state.images = state.images.map((img, i) => (i === index ? { ...replacement, input } : img));
    markSettled(composerRoot);
    if (!input) return false;
    // Sites that append attachments (LinkedIn) get the original removed through their own control
    // first, then only the redacted file; sites that replace in place (Instagram) get the full set.
    const removers = adapter.spec.removeImageSelector
      ? [...composerRoot.querySelectorAll(adapter.spec.removeImageSelector)] : [];
    const appendOnly = removers.length === state.images.length;
    if (appendOnly) removers[index].click();
    const transfer = new root.DataTransfer();
    const handOver = appendOnly ? [state.images[index]] : state.images.filter((img) => img.input === input);
    handOver.forEach((img) => transfer.items.add(img.file));
    state.swapping = true;
    try {
      input.files = transfer.files;
      input.dispatchEvent(new root.Event("input", { bubbles: true, composed: true }));
      input.dispatchEvent(new root.Event("change", { bubbles: true }));
    } finally {
      state.swapping = false;
    }
    return true;
  }

  /** True while `swap` is handing files to the site (our own change listener must not re-read them). */
  function isSwapping(composerRoot) {
    return Boolean(composerRoot && byRoot.get(composerRoot)?.swapping);
  }

  pg.images = { attach, imagesOf, imagesNow, markSettled, swap, isSwapping, toBase64 };
})(globalThis);
