/*
 * One session per guarded composer: the single owner of what Postguard knows about a composer.
 * A session is keyed by the composer's root element (the dialog or comment box, which outlives the
 * editor the site re-renders inside it), made the first time the guard sees that root and dropped
 * with the element.
 *
 *   composer     {editor, root, submit, kind, enterSubmits}, as the adapter last found it
 *   photos       the photos attached (images.js): {images, ready, settled, swapping}; null until one is
 *   photoReview  the attach-time photo review under way (photo-intake.js), or null
 *   precheck     {timer, firesAt, due, composer, platform, running, readOn}: the debounce timer, when it
 *                fires, when the pre-check is due and of what, the background check running, and the
 *                rounds asked again of a text the companion could not read whole in time (precheck.js)
 *   answer       {composer, outcome} of the last pre-check answer (findings-count.js)
 *   dismissed    the findings the user dismissed, as "category\u0000words" (dismissals.js)
 *   toldPhotos   the photo set already told "not fully checked" (photo-notices.js)
 *
 * The pre-check cache itself stays shared by content (precheck.js): the same text and photos have one
 * answer wherever they are written; the panel and the notices are one at a time on a page (ui/).
 * Constructing a session does nothing else.
 */

const sessions = new WeakMap(); // composer root -> ComposerSession

class ComposerSession {
  constructor(composerRoot) {
    this.root = composerRoot;
    this.composer = null;
    this.photos = null;
    this.photoReview = null;
    this.precheck = { timer: 0, firesAt: 0, due: 0, composer: null, platform: "", running: null, readOn: null };
    this.answer = null;
    this.dismissed = new Set();
    this.toldPhotos = null;
  }
}

/** The session of a composer root, made on first use; null without a root. */
export function sessionFor(composerRoot) {
  if (!composerRoot) return null;
  let session = sessions.get(composerRoot);
  if (!session) {
    session = new ComposerSession(composerRoot);
    sessions.set(composerRoot, session);
  }
  return session;
}

/** The session of a composer root if there is one already (looking does not make one). */
export function existingSession(composerRoot) {
  return (composerRoot && sessions.get(composerRoot)) || null;
}
