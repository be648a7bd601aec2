/*
 * Notices about photos that never hold a post:
 *   - the early warning at a "Next" before the final Share (Instagram's first Next after the photo is
 *     picked): the photo already looks risky, so the user hears it before writing a caption; the real
 *     check and hold stay on Share;
 *   - "the photo could not be fully checked", when the companion could not read a photo completely
 *     (Tesseract missing, or out of its time budget), told once per set of photos.
 */
(function definePhotoNotices(root) {
  "use strict";
  const pg = (root.postguard = root.postguard || {});
  const OCR_WARNINGS = new Set(["ocr_incomplete", "ocr_unavailable", "ocr_failed"]);
  const EARLY_NOTICE_MS = 15000;
  const told = new WeakMap(); // composer root -> key of the photo set already told "not fully checked"

  /** True when the companion says a photo in the post could not be read completely. */
  function notFullyChecked(result) {
    return Boolean(result?.ocr_incomplete) || (result?.warnings || []).some((w) => OCR_WARNINGS.has(w));
  }

  /** The photo set a check answer was about (its hashes), so one set is told about once. */
  function photoKey(outcome) {
    return (outcome.images || []).map((img) => img.hash).join(",");
  }

  /** After a check that let the post through (or a pre-check): say so when a photo was not fully read. */
  function afterCheck(composer, outcome) {
    const result = outcome?.answer?.ok ? outcome.answer.result : null;
    if (!result || !notFullyChecked(result) || !composer.root || pg.panel.isOpen()) return;
    const key = photoKey(outcome);
    if (told.get(composer.root) === key) return;
    told.set(composer.root, key);
    pg.notice.show(pg.t("photoNotFullyChecked"), { anchor: composer.root || composer.editor, tone: "warn", timeoutMs: 12000 });
  }

  /**
   * At a "Next" control: checks (or joins the pre-check of) what the composer holds and, when photos
   * already carry findings, shows a notice naming what was found. Nothing is held.
   */
  async function atNext(adapter, control) {
    const rootEl = adapter.rootOf(control);
    if (!rootEl) return;
    const editor = [...rootEl.querySelectorAll(adapter.editorSelector)].pop() || null;
    const composer = { editor, root: rootEl, submit: null };
    const outcome = await pg.precheck.checkNow(composer, adapter.platform);
    if (!rootEl.isConnected || pg.panel.isOpen() || !outcome.answer.ok) return;
    const result = outcome.answer.result;
    const photoFindings = (result.findings || []).filter((f) => f.source === "image");
    if (result.verdict === "allow" || !photoFindings.length) { afterCheck(composer, outcome); return; }
    const categories = [...new Set(photoFindings.map((f) => pg.t(`cat_${f.category}`)))].join(", ");
    pg.notice.show(pg.t("noticeEarlyPhoto", [categories]), {
      anchor: rootEl, tone: "warn", timeoutMs: EARLY_NOTICE_MS, kind: "early-photo",
    });
  }

  pg.photoNotices = { notFullyChecked, afterCheck, atNext };
})(globalThis);
