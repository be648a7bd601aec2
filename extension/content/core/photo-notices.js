/*
 * Notices about photos that never hold a post:
 *   - the early warning at a "Next" before the final Share (Instagram's first Next after the photo is
 *     picked): the photo already looks risky, so the user hears it before writing a caption; the real
 *     check and hold stay on Share;
 *   - "the photo could not be fully checked", when the companion could not read a photo completely
 *     (Tesseract missing, or out of its time budget), told once per set of photos;
 *   - "this post is too long to check completely", when the check's time budget ran out on the text.
 */
import { precheck } from "./precheck.js";
import { sessionFor } from "./session.js";
import { t } from "../../ui/i18n.js";
import { notice } from "../../ui/notice.js";
import { panelUi } from "../../ui/panel.js";

const OCR_WARNINGS = new Set(["ocr_incomplete", "ocr_unavailable", "ocr_failed"]);
const EARLY_NOTICE_MS = 15000;

/** True when the companion says a photo in the post could not be read completely. */
function notFullyChecked(result) {
  return Boolean(result?.ocr_incomplete) || (result?.warnings || []).some((w) => OCR_WARNINGS.has(w));
}

/** True when the companion's time budget ran out before the whole text was checked (a very long post). */
function textNotFullyChecked(result) {
  return (result?.warnings || []).includes("text_incomplete");
}

/** The photo set a check answer was about (its hashes), so one set is told about once. */
function photoKey(outcome) {
  return (outcome.images || []).map((img) => img.hash).join(",");
}

/**
 * After a check that let the post through (or a pre-check): say so when a photo was not fully read,
 * or when the text was too long to check completely in the time a check may take.
 */
function afterCheck(composer, outcome) {
  const result = outcome?.answer?.ok ? outcome.answer.result : null;
  const photo = Boolean(result) && notFullyChecked(result);
  const text = Boolean(result) && textNotFullyChecked(result);
  if (!result || !(photo || text) || !composer.root || panelUi.isOpen()) return;
  const key = `${text ? "text:" : ""}${photoKey(outcome)}`;
  const session = sessionFor(composer.root);
  if (session.toldPhotos === key) return;
  session.toldPhotos = key;
  const message = text ? "textNotFullyChecked" : "photoNotFullyChecked";
  notice.show(t(message), { anchor: composer.root || composer.editor, tone: "warn", timeoutMs: 12000 });
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
  const outcome = await precheck.checkNow(composer, adapter.platform);
  if (!rootEl.isConnected || panelUi.isOpen() || !outcome.answer.ok) return;
  const result = outcome.answer.result;
  const photoFindings = (result.findings || []).filter((f) => f.source === "image");
  if (result.verdict === "allow" || !photoFindings.length) { afterCheck(composer, outcome); return; }
  const categories = [...new Set(photoFindings.map((f) => t(`cat_${f.category}`)))].join(", ");
  notice.show(t("noticeEarlyPhoto", [categories]), {
    anchor: rootEl, tone: "warn", timeoutMs: EARLY_NOTICE_MS, kind: "early-photo",
  });
}

export const photoNotices = { notFullyChecked, textNotFullyChecked, afterCheck, atNext };
