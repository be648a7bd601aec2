/*
 * The photo review: shown when a photo the user is attaching has findings, before the site has it.
 * Each risky photo gets a card with a preview of what will be attached (the blacked-out copy by
 * default), what was found, and Undo (show and attach the original) / Black out again. One click
 * attaches the photos as previewed; one click removes them ("Remove photo": the site never gets them).
 * When Postguard has no blacked-out copy (the companion could not black it out, or found no box), the
 * card says so plainly and the choice is to attach it as it is or remove it.
 *
 * Built through pg.panel.open({render}), so it is placed, trapped and styled like the warning panel.
 * Previews are drawn on <canvas> from the File itself: no blob: URL, so no page CSP can refuse it.
 */
import { runtime } from "../content/core/runtime.js";
import { t } from "./i18n.js";
import { panelUi } from "./panel.js";
import { ui } from "./styles.js";

const root = globalThis;

const PREVIEW = { width: 320, height: 190 };

/**
 * Shows the review and resolves to a Map item -> "redacted" | "original" | "removed" once the user
 * has decided. `items` = [{index, file, redacted: File|null, findings}].
 */
function ask({ composer, items, anchor }) {
  return new Promise((resolve) => {
    const choices = new Map(items.map((item) => [item, item.redacted ? "redacted" : "original"]));
    const view = { items, choices, result: { verdict: "warn", findings: [] } };
    const finish = () => { panelUi.close(); resolve(choices); };
    const parent = composer.root && composer.root !== composer.editor ? composer.root : null;
    panelUi.open({
      parent, anchor, view, render: build,
      onAction: (action, details, controller) => {
        const item = items[Number(details.item)];
        if ((action === "photo-undo" || action === "photo-redo") && item) {
          choices.set(item, action === "photo-undo" ? "original" : "redacted");
          refresh(controller.panel, view);
          // The pressed button is hidden now: focus its counterpart, and keep the preview in view.
          const card = controller.panel.querySelector(`[data-postguard-photo="${details.item}"]`);
          card.querySelector(`[data-postguard-action="${action === "photo-undo" ? "photo-redo" : "photo-undo"}"]`)?.focus({ preventScroll: true });
          card.querySelector("canvas")?.scrollIntoView?.({ block: "nearest" });
          return;
        }
        // Esc ("edit") closes without attaching: only what the user accepts goes to the site.
        if (action === "photo-remove" || action === "edit") items.forEach((it) => choices.set(it, "removed"));
        if (action === "photo-attach" || action === "photo-remove" || action === "edit") finish();
      },
    });
    runtime?.onDetach(() => resolve(choices));
  });
}

function build(doc, view) {
  const { el } = ui;
  const anyRedacted = view.items.some((item) => item.redacted);
  const panel = el(doc, "section", {
    className: "pg-panel pg-photo-review", role: "dialog", "aria-modal": "true", "aria-labelledby": "pg-title",
    "aria-describedby": "pg-intro", tabindex: "-1", "data-postguard-part": "photo-review", "data-verdict": "warn",
  });
  panel.append(el(doc, "div", { className: "pg-head" }, [
    el(doc, "span", { className: "pg-badge", text: "Postguard" }),
    el(doc, "h2", { id: "pg-title", text: t("photoReviewTitle") }),
  ]));
  panel.append(el(doc, "p", { id: "pg-intro", className: "pg-intro", text: t(anyRedacted ? "photoReviewIntro" : "photoReviewCannot") }));
  const list = el(doc, "div", { className: "pg-photo-list" });
  view.items.forEach((item, i) => list.append(card(doc, item, i)));
  panel.append(list);
  const actions = el(doc, "div", { className: "pg-actions" });
  actions.append(panelUi.button(doc, "photo-attach", "", "pg-primary"), panelUi.button(doc, "photo-remove", t("photoRemove")));
  panel.append(actions);
  refresh(panel, view);
  return panel;
}

function card(doc, item, i) {
  const { el } = ui;
  const box = el(doc, "div", { className: "pg-photo-card", "data-postguard-photo": String(i) });
  const title = el(doc, "div", { className: "pg-photo-title" }, [
    el(doc, "span", { className: "pg-cat", text: t("panelFindingInPhoto", [String(item.index + 1)]) }),
    el(doc, "span", { className: "pg-where", "data-postguard-part": "photo-state" }),
  ]);
  const canvas = el(doc, "canvas", { className: "pg-preview", "data-postguard-part": "preview", "aria-hidden": "true" });
  box.append(title, canvas);
  if (item.redacted) {
    box.append(el(doc, "div", { className: "pg-photo-toggle" }, [
      ui.el(doc, "button", { type: "button", "data-postguard-action": "photo-undo", "data-postguard-item": String(i), text: t("photoUndo") }),
      ui.el(doc, "button", { type: "button", "data-postguard-action": "photo-redo", "data-postguard-item": String(i), text: t("photoRedo") }),
    ]));
  } else {
    box.append(el(doc, "p", { className: "pg-note", "data-postguard-part": "cannot-black-out", text: t("photoCannotBlackOut") }));
  }
  box.append(foundList(doc, item.findings));
  return box;
}

/**
 * What was found in the photo, one short line each (the category and the companion's masked excerpt:
 * the extension never saw the photo's text), so the preview stays in view beside it.
 */
function foundList(doc, findings) {
  const { el } = ui;
  const list = el(doc, "ul", { className: "pg-found", "aria-label": t("panelLabel") });
  for (const finding of findings) {
    list.append(el(doc, "li", { className: `pg-sev-${finding.severity}`, "data-postguard-finding": "", "data-category": finding.category }, [
      el(doc, "span", { className: "pg-cat", text: t(`cat_${finding.category}`) }),
      doc.createTextNode(" "),
      el(doc, "span", { className: "pg-masked", text: finding.excerpt || "" }),
    ]));
  }
  return list;
}

/** Brings the cards and the main button in line with the choices (after Undo / Black out again). */
function refresh(panel, view) {
  view.items.forEach((item, i) => {
    const box = panel.querySelector(`[data-postguard-photo="${i}"]`);
    const choice = view.choices.get(item);
    box.dataset.choice = choice;
    box.querySelector('[data-postguard-part="photo-state"]').textContent = t(choice === "redacted" ? "photoStateRedacted" : "photoStateOriginal");
    const undo = box.querySelector('[data-postguard-action="photo-undo"]');
    const redo = box.querySelector('[data-postguard-action="photo-redo"]');
    if (undo) undo.hidden = choice !== "redacted";
    if (redo) redo.hidden = choice === "redacted";
    draw(box.querySelector("canvas"), choice === "redacted" ? item.redacted : item.file);
  });
  const allRedacted = view.items.every((item) => view.choices.get(item) === "redacted");
  panel.querySelector('[data-postguard-action="photo-attach"]').textContent = t(allRedacted ? "photoAttachRedacted" : "photoAttachOriginal");
}

/** Draws a photo into its preview, scaled to fit (the canvas keeps its last picture until the new one is decoded). */
function draw(canvas, file) {
  if (!canvas || !file || typeof root.createImageBitmap !== "function") return;
  const token = String(Number(canvas.dataset.token || 0) + 1);
  const choice = canvas.closest("[data-choice]")?.dataset.choice || "";
  canvas.dataset.token = token;
  root.createImageBitmap(file).then((bitmap) => {
    if (canvas.dataset.token !== token) return; // a newer choice is being drawn
    const scale = Math.min(PREVIEW.width / bitmap.width, PREVIEW.height / bitmap.height, 1);
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    canvas.dataset.shown = choice;
    bitmap.close?.();
  }).catch(() => {});
}

export const photoReview = { ask };
