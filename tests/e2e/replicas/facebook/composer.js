/**
 * Facebook "Create post" dialog replica.
 *
 * Faithful to composer-dom.md: `div[role="dialog"][aria-label="Create post"]` holding `form[method="POST"]`,
 * a Lexical-like editor `div[contenteditable="true"][role="textbox"][data-lexical-editor="true"].notranslate`
 * with a sibling placeholder, `[aria-label="Photo/video"]` and the hidden
 * `input[type="file"][multiple][accept^="image/*"]`, `img[src^="blob:"]` previews, and the Post control
 * `div[role="button"][aria-label="Post"]` — aria-disabled while there is nothing to post, pressed by click or
 * by Enter/Space while focused, handled React-style by delegation at the app root. After an image is
 * attached the composer re-renders: the editor root AND the Post button are replaced by new nodes (the
 * editor keeps its state), which is what breaks extensions that hold on to the old nodes.
 * Once photos are attached, the attachment carries Facebook's close control,
 * `div[role="button"][aria-label="Remove post attachment"]` with an `<i>` icon (public posting bots wait
 * for it to know an upload was taken, 2021–25); it removes the whole attachment, every photo in it.
 */

import { avatar, filesFrom, h, icon, onPress, openPicker } from "../common/dom.js";
import { LexicalLikeEditor } from "../common/lexical-like-editor.js";
import { recordSubmission } from "../common/replica-record.js";
import { ACTING, ME, WHATS_ON_YOUR_MIND } from "./profile.js";

const FILE_ACCEPT = "image/*,image/heif,image/heic,video/*,video/mp4,video/x-m4v,video/x-matroska,.mkv";
const PHOTO_ICON = "M19 3H5a2 2 0 00-2 2v14a2 2 0 002 2h14a2 2 0 002-2V5a2 2 0 00-2-2zM8.5 7A1.5 1.5 0 117 8.5 1.5 1.5 0 018.5 7zM5 19l4-5 3 3.5 3-4 4 5.5z";

let current = null;

function editorRoot() {
  return h("div", {
    class: "xzsf02u x1a2a7pz x1n2onr6 x14wi4xw x9f619 x1lliihq x5yr21d xh8yej3 notranslate",
    contenteditable: "true",
    role: "textbox",
    spellcheck: "true",
    tabindex: "0",
    "data-lexical-editor": "true",
    "aria-label": WHATS_ON_YOUR_MIND,
    "aria-describedby": "placeholder-create-post",
    style: "user-select: text; white-space: pre-wrap; word-break: break-word;",
  });
}

function postButton(box) {
  const button = h("div", { "aria-label": "Post", role: "button", tabindex: "0", class: "x1i10hfl xjbqb8w fb-post-button" },
    h("span", { class: "x1lliihq", text: "Post" }));
  return onPress(button, () => submit(box));
}

function header() {
  const close = onPress(h("div", { "aria-label": "Close", role: "button", tabindex: "0", class: "fb-dialog__close" },
    icon("M18.3 5.7a1 1 0 00-1.4 0L12 10.6 7.1 5.7a1 1 0 00-1.4 1.4l4.9 4.9-4.9 4.9a1 1 0 101.4 1.4l4.9-4.9 4.9 4.9a1 1 0 001.4-1.4L13.4 12l4.9-4.9a1 1 0 000-1.4z", { size: 20 })),
  () => closeComposer());
  return h("div", { class: "fb-dialog__header" }, h("h2", { class: "fb-dialog__title", dir: "auto", text: "Create post" }), close);
}

function addToYourPost(box) {
  const photo = onPress(h("div", { "aria-label": "Photo/video", role: "button", tabindex: "0", class: "fb-add-bar__item" },
    icon(PHOTO_ICON, { fill: "#45bd62" })), () => showMediaArea(box));
  const decor = (label, color, path) => h("div", { "aria-label": label, role: "button", tabindex: "0", class: "fb-add-bar__item" }, icon(path, { fill: color }));
  return h("div", { class: "fb-add-bar" }, h("span", { class: "fb-add-bar__label", text: "Add to your post" }),
    h("div", { class: "fb-add-bar__icons" }, photo,
      decor("Tag people", "#1877f2", "M12 12a4 4 0 10-4-4 4 4 0 004 4zm0 2c-3 0-8 1.5-8 4.5V21h16v-2.5c0-3-5-4.5-8-4.5z"),
      decor("Feeling/activity", "#f7b928", "M12 2a10 10 0 1010 10A10 10 0 0012 2zm-3.5 7A1.5 1.5 0 117 10.5 1.5 1.5 0 018.5 9zm3.5 9a5 5 0 01-4.6-3h9.2A5 5 0 0112 18zm3.5-6A1.5 1.5 0 1117 10.5 1.5 1.5 0 0115.5 12z"),
      decor("Check in", "#f5533d", "M12 2a7 7 0 00-7 7c0 5 7 13 7 13s7-8 7-13a7 7 0 00-7-7zm0 9.5A2.5 2.5 0 1114.5 9 2.5 2.5 0 0112 11.5z")));
}

function buildDialog(box) {
  box.placeholder = h("div", { id: "placeholder-create-post", class: "fb-composer__placeholder", "aria-hidden": "true", text: WHATS_ON_YOUR_MIND });
  box.editor = new LexicalLikeEditor(editorRoot);
  box.editorWrap = h("div", { class: "fb-composer__editor" }, box.placeholder, box.editor.root);
  box.previews = h("div", { class: "fb-composer__previews" });
  box.removeAttachment = onPress(h("div", { "aria-label": "Remove post attachment", role: "button", tabindex: "0", class: "fb-composer__remove", hidden: true },
    h("i", { class: "fb-composer__remove-icon", "aria-hidden": "true", text: "✕" })), () => removeAttachment(box));
  box.dropZone = onPress(h("div", { role: "button", tabindex: "0", class: "fb-composer__dropzone" },
    icon(PHOTO_ICON, { size: 28, fill: "#050505" }), h("span", { class: "fb-composer__dropzone-title", text: "Add photos/videos" }),
    h("span", { class: "fb-composer__dropzone-hint", text: "or drag and drop" })), () => openPicker(box.fileInput));
  box.mediaArea = h("div", { class: "fb-composer__media", hidden: true }, box.removeAttachment, box.previews, box.dropZone);
  box.fileInput = h("input", { type: "file", multiple: true, accept: FILE_ACCEPT, class: "x1s85apg" });
  box.post = postButton(box);
  box.footer = h("div", { class: "fb-composer__footer" }, box.post);
  const author = h("div", { class: "fb-composer__author" }, avatar(ME.initials, 40, ME.color),
    h("div", {}, h("div", { class: "fb-composer__author-name", text: ACTING }),
      h("div", { role: "button", tabindex: "0", class: "fb-composer__audience", "aria-label": "Edit privacy. Sharing with Friends.", text: "Friends ▾" })));
  const form = h("form", { method: "POST", action: "#", class: "fb-composer__form" }, header(),
    h("div", { class: "fb-composer__body" }, author, box.editorWrap, box.mediaArea), addToYourPost(box), box.fileInput, box.footer);
  box.dialog = h("div", { role: "dialog", "aria-label": "Create post", class: "x1n2onr6 fb-dialog" }, form);
  box.layer = h("div", { class: "x1n2onr6 fb-composer-layer" }, h("div", { class: "fb-layer__scrim" }), box.dialog);
  form.addEventListener("submit", (event) => event.preventDefault());
}

/** Open the Create post dialog inside the app root (a second call focuses the editor). */
export function openComposer({ withMedia = false } = {}) {
  if (!current) {
    current = { files: [], objectUrls: [] };
    buildDialog(current);
    wire(current);
    document.querySelector("[id^='mount_0_0']").append(current.layer);
    refresh(current);
  }
  if (withMedia) showMediaArea(current);
  current.editor.root.focus();
  return current;
}

function closeComposer() {
  if (!current) return;
  current.objectUrls.forEach((url) => URL.revokeObjectURL(url));
  current.layer.remove();
  current = null;
}

function wire(box) {
  box.editor.addEventListener("change", () => refresh(box));
  box.editor.addEventListener("files", (event) => attachFiles(box, event.detail));
  box.fileInput.addEventListener("change", () => attachFiles(box, filesFrom(box.fileInput)));
  box.dialog.addEventListener("dragover", (event) => event.preventDefault());
  box.dialog.addEventListener("drop", (event) => {
    if (event.defaultPrevented) return; // dropped on the editor: it handed the files over already
    event.preventDefault();
    attachFiles(box, filesFrom(event.dataTransfer));
  });
}

function refresh(box) {
  box.placeholder.hidden = box.editor.text !== "";
  const empty = box.editor.isBlank() && box.files.length === 0;
  box.post.setAttribute("aria-disabled", String(empty));
  box.post.setAttribute("tabindex", empty ? "-1" : "0");
  box.editorWrap.classList.toggle("fb-composer__editor--small", box.files.length > 0 || box.editor.text.length > 85);
}

function showMediaArea(box) {
  box.mediaArea.hidden = false;
}

/** Attach images, then re-render the composer the way Facebook does after an upload. */
function attachFiles(box, files) {
  const images = files.filter((file) => file.type.startsWith("image/"));
  if (!images.length) return;
  for (const file of images) {
    box.files.push(file);
    const url = URL.createObjectURL(file);
    box.objectUrls.push(url);
    box.previews.append(h("div", { class: "fb-composer__preview" }, h("img", { src: url, alt: "", class: "fb-composer__preview-img" })));
  }
  box.mediaArea.hidden = false;
  box.dropZone.hidden = true;
  box.removeAttachment.hidden = false;
  rerenderAfterUpload(box);
}

/** The attachment's close control: every photo goes, and the media area closes (Photo/video reopens it). */
function removeAttachment(box) {
  box.files = [];
  box.objectUrls.forEach((url) => URL.revokeObjectURL(url));
  box.objectUrls = [];
  box.previews.replaceChildren();
  box.removeAttachment.hidden = true;
  box.dropZone.hidden = false;
  box.mediaArea.hidden = true;
  refresh(box);
}

function rerenderAfterUpload(box) {
  box.editor.remount();
  const fresh = postButton(box);
  box.post.replaceWith(fresh);
  box.post = fresh;
  refresh(box);
}

/** Facebook's Post: the editor state's text and the attached files, as they are now. */
function submit(box) {
  if (box !== current) return;
  const text = box.editor.text;
  recordSubmission("post", text, box.files);
  closeComposer();
  document.dispatchEvent(new CustomEvent("replica:posted", { detail: { text } }));
}
