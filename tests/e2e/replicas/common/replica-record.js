/**
 * What a replica's own submit handler sent, recorded for the end-to-end tests.
 *
 * The tests never trust what an extension says it did: they read `window.__replica.sent`, which only the
 * site's own Post/Share/Comment handlers write to, with the text the editor's model held at that moment and
 * the File objects the composer had attached (hashed with crypto.subtle, so a swapped or redacted image is
 * visible as a different sha256). Entries are pushed in submission order once hashing finishes;
 * `window.__replica.pending` counts submissions still being hashed; `window.__replica.pixels` maps the
 * sha256 of every image sent to its decoded {width, height}.
 */

const state = {
  site: document.documentElement.dataset.replicaSite || "unknown",
  ready: false,
  sent: [],
  pending: 0,
  pixels: {},
};
window.__replica = state;

let queue = Promise.resolve();

/** Mark the page as fully built, so tests wait for the app, not just for the load event. */
export function markReady() {
  state.ready = true;
  document.documentElement.dataset.replicaReady = "true";
}

/** Hex SHA-256 of a Blob's bytes. */
async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Pixel size of an image file as the browser decodes it (null for anything it cannot decode). */
async function pixelSize(file) {
  if (!file.type.startsWith("image/")) return { width: null, height: null };
  try {
    const bitmap = await createImageBitmap(file);
    const size = { width: bitmap.width, height: bitmap.height };
    bitmap.close();
    return size;
  } catch (_err) {
    return { width: null, height: null };
  }
}

/**
 * Describe one attached file the way the tests compare it: name, type, size and a hash of its bytes. The
 * decoded width and height of each image go to `pixels[sha256]` (a redacted photo keeps its dimensions).
 */
async function describeFile(file) {
  const sha256 = await sha256Hex(file);
  state.pixels[sha256] = await pixelSize(file);
  return { name: file.name, type: file.type, size: file.size, sha256 };
}

/**
 * Record one submission. `text` and `files` must be taken by the caller at the moment its handler runs;
 * the File list is copied here synchronously so later attachment changes cannot leak into the record.
 */
export function recordSubmission(kind, text, files) {
  const at = performance.now();
  const snapshot = Array.from(files || []);
  state.pending += 1;
  queue = queue.then(async () => {
    try {
      const described = await Promise.all(snapshot.map(describeFile));
      state.sent.push({ kind, text, files: described, at, site: state.site });
    } finally {
      state.pending -= 1;
    }
  });
  return queue;
}

/**
 * Record what a feed control actually did (the site's own handler calls this): `kind` is react,
 * unreact, repost, share, comment-open...; `post` the post's id; `detail` e.g. {reaction: "celebrate"}.
 * Pushed to `window.__replica.actions` synchronously, in the order the handlers ran.
 */
export function recordAction(kind, post, detail = {}) {
  state.actions.push({ kind, post, ...detail, at: performance.now(), site: state.site });
}
state.actions = [];
