/**
 * Instagram "Create new post" flow replica: one `div[role="dialog"]` walking select → Crop → Edit →
 * caption → Sharing → "Your post has been shared.".
 *
 * Faithful to composer-dom.md: the select step's `input[type="file"][accept="image/jpeg,image/png,
 * image/heic,image/heif,video/mp4,video/quicktime"]` behind "Select from computer" (drop also works); from
 * Crop on, the photo is shown only as a `blob:` background and (Edit) a `<canvas>`; header buttons are
 * `div[role="button"]` known by their text alone (Next, Share); the caption is a Lexical-like
 * `div[aria-label="Write a caption..."][contenteditable="true"][role="textbox"]`. Share is handled
 * React-style (delegation at the app root) and sends the caption state's text and the selected files.
 * Replica choices: the file input stays in the dialog for the whole flow, and a `change` on it at a later
 * step replaces the photo in place (so an extension can swap in a redacted file); the recorded file is the
 * one selected, not Instagram's re-encoded upload.
 */

import { filesFrom, h, icon, onPress, openPicker } from "../common/dom.js";
import { LexicalLikeEditor } from "../common/lexical-like-editor.js";
import { recordSubmission } from "../common/replica-record.js";
import { captionPanel, drawOnCanvas, filterStrip, sharedView, sharingView } from "./flow-views.js";

const ACCEPT = "image/jpeg,image/png,image/heic,image/heif,video/mp4,video/quicktime";
const TITLES = { select: "Create new post", crop: "Crop", edit: "Edit", caption: "Create new post", sharing: "Sharing", shared: "Post shared" };
const BACK_ICON = "M21 11H6.4l5.3-5.3-1.4-1.4L2.6 12l7.7 7.7 1.4-1.4L6.4 13H21z";
const MEDIA_ICON = "M8 3h8a5 5 0 015 5v8a5 5 0 01-5 5H8a5 5 0 01-5-5V8a5 5 0 015-5zm2 6v6l5-3z";

let flow = null;

function captionRoot() {
  return h("div", {
    "aria-label": "Write a caption...",
    class: "xw2csxc x1odjw0f x1n2onr6 x1hnll1o xpqswwc notranslate ig-caption__input",
    contenteditable: "true",
    role: "textbox",
    spellcheck: "true",
    tabindex: "0",
    "data-lexical-editor": "true",
    style: "user-select: text; white-space: pre-wrap; word-break: break-word;",
  });
}

function headerButton(text, onActivate) {
  return onPress(h("div", { role: "button", tabindex: "0", class: "x1i10hfl xjqpnuy xa49m3k ig-header__action", text }), onActivate);
}

/** Open the dialog at the select step (a second call does nothing). */
export function openCreateFlow() {
  if (flow) return flow;
  const fileInput = h("input", { type: "file", accept: ACCEPT, multiple: true, class: "_ac69" });
  const title = h("div", { class: "ig-header__title", id: "ig-create-title" });
  const header = h("div", { class: "ig-header" });
  const body = h("div", { class: "ig-body" });
  const dialog = h("div", { role: "dialog", "aria-label": "Create new post", "aria-modal": "true", class: "x1n2onr6 ig-dialog" },
    header, body, h("form", { enctype: "multipart/form-data", method: "POST", role: "presentation", class: "ig-hidden-form" }, fileInput));
  const close = onPress(h("div", { role: "button", tabindex: "0", class: "ig-close" }, icon("M18.7 5.3a1 1 0 00-1.4 0L12 10.6 6.7 5.3a1 1 0 00-1.4 1.4l5.3 5.3-5.3 5.3a1 1 0 101.4 1.4l5.3-5.3 5.3 5.3a1 1 0 001.4-1.4L13.4 12l5.3-5.3a1 1 0 000-1.4z", { label: "Close", fill: "#fff" })), () => closeCreateFlow());
  const layer = h("div", { class: "ig-layer" }, close, dialog);
  flow = { step: "select", files: [], url: null, fileInput, title, header, body, dialog, layer, caption: new LexicalLikeEditor(captionRoot) };
  fileInput.addEventListener("change", () => useFiles(filesFrom(fileInput)));
  dialog.addEventListener("dragover", (event) => event.preventDefault());
  dialog.addEventListener("drop", (event) => {
    event.preventDefault();
    useFiles(filesFrom(event.dataTransfer));
  });
  document.querySelector("[id^='mount_0_0']").append(layer);
  show("select");
  return flow;
}

function closeCreateFlow() {
  if (!flow) return;
  if (flow.url) URL.revokeObjectURL(flow.url);
  flow.layer.remove();
  flow = null;
}

/** Files chosen at the select step start the flow; chosen later, they replace the photo in place. */
function useFiles(files) {
  const media = files.filter((file) => /^(image|video)\//.test(file.type));
  if (!media.length || !flow) return;
  flow.files = media;
  if (flow.url) URL.revokeObjectURL(flow.url);
  flow.url = URL.createObjectURL(media[0]);
  show(flow.step === "select" ? "crop" : flow.step);
}

function show(step) {
  flow.step = step;
  flow.title.textContent = TITLES[step];
  const back = ["crop", "edit", "caption"].includes(step)
    ? onPress(h("div", { role: "button", tabindex: "0", class: "ig-header__back" }, icon(BACK_ICON, { label: "Back" })), () => goBack())
    : h("div", { class: "ig-header__spacer" });
  const action = { crop: headerButton("Next", () => show("edit")), edit: headerButton("Next", () => show("caption")), caption: headerButton("Share", () => share()) }[step];
  flow.header.replaceChildren(back, flow.title, action || h("div", { class: "ig-header__spacer" }));
  flow.dialog.classList.toggle("ig-dialog--wide", step === "edit" || step === "caption");
  flow.body.replaceChildren(...viewFor(step));
}

function goBack() {
  const previous = { crop: "select", edit: "crop", caption: "edit" }[flow.step];
  if (previous === "select") flow.files = [];
  show(previous);
}

function viewFor(step) {
  if (step === "select") return [selectView()];
  if (step === "crop") return [mediaBackground("ig-crop")];
  if (step === "edit") {
    const canvas = h("canvas", { width: "480", height: "480", class: "ig-canvas" });
    drawOnCanvas(canvas, flow.files[0]);
    return [canvas, filterStrip()];
  }
  if (step === "caption") return [mediaBackground("ig-caption__media"), captionPanel(flow.caption)];
  if (step === "sharing") return [sharingView()];
  return [sharedView()];
}

function selectView() {
  const button = h("button", { type: "button", class: "_acan _acap _acas _aj1-", text: "Select from computer" });
  button.addEventListener("click", () => openPicker(flow.fileInput));
  return h("div", { class: "ig-select" }, icon(MEDIA_ICON, { size: 96, label: "Icon to represent media such as images or videos" }),
    h("div", { class: "ig-select__title", text: "Drag photos and videos here" }), button);
}

function mediaBackground(className) {
  return h("div", { class: className, role: "img", "aria-label": "Photo", style: `background-image: url("${flow.url}")` });
}

/** Instagram's Share: the caption state's text and the selected files, as they are now. */
function share() {
  const text = flow.caption.text;
  const files = flow.files;
  recordSubmission("post", text, files);
  show("sharing");
  const shared = flow;
  setTimeout(() => {
    if (flow === shared) show("shared");
  }, 400);
}
