/**
 * LinkedIn share box replica, rendered inside the open shadow root of `div#interop-outlet`.
 *
 * Faithful to composer-dom.md: `[data-test-modal-id="sharebox"][role="dialog"].share-box-v2__modal`, a
 * Quill-1-like editor (plus Quill's own hidden `.ql-clipboard` contenteditable), `button[aria-label=
 * "Add media"]` opening the hidden `input#media-editor-file-selector__file-input` in the same shadow root,
 * pasted or dropped images attached directly, `img[src^="blob:"]` previews, and
 * `button.share-actions__primary-action` disabled until there is something to post. The Post handler is a
 * bubble-phase listener on the button and sends the editor's MODEL text at click time.
 * Ctrl/Cmd+Enter in the editor posts too (a replica assumption, so keyboard submits can be tested).
 * The identity line switches between the member and the company page (identity-switcher.js).
 */

import { avatar, filesFrom, h, icon, openPicker } from "../common/dom.js";
import { DomModelEditor } from "../common/dom-model-editor.js";
import { recordSubmission } from "../common/replica-record.js";
import { ME } from "./profile.js";
import { actingIdentity, openIdentityMenu } from "./identity-switcher.js";

const PLACEHOLDER = "What do you want to talk about?";
const MEDIA_ACCEPT = "image/gif,image/jpeg,image/jpg,image/png,image/webp,image/heic,image/heif,video/mp4,video/quicktime";

let current = null;

function outletRoot() {
  return document.getElementById("interop-outlet").shadowRoot;
}

function stylesheets() {
  return ["/_replica/common/replica.css", "/_replica/linkedin/sharebox.css"].map((href) => h("link", { rel: "stylesheet", href }));
}

function editorElement() {
  return h("div", {
    class: "ql-editor ql-blank",
    contenteditable: "true",
    "data-gramm": "false",
    "data-test-ql-editor-contenteditable": "true",
    role: "textbox",
    "aria-multiline": "true",
    "aria-label": "Text editor for creating content",
    "aria-placeholder": PLACEHOLDER,
    "data-placeholder": PLACEHOLDER,
  });
}

function header(onDismiss) {
  const dismiss = h("button", { class: "artdeco-modal__dismiss artdeco-button artdeco-button--circle artdeco-button--tertiary", "aria-label": "Dismiss", type: "button" },
    icon("M13.42 12L20 18.58 18.58 20 12 13.42 5.42 20 4 18.58 10.58 12 4 5.42 5.42 4 12 10.58 18.58 4 20 5.42z", { size: 24 }));
  dismiss.addEventListener("click", onDismiss);
  const title = h("h2", { id: "share-to-linkedin-modal__header", class: "share-box-v2__title", text: actingIdentity() });
  const entry = h("button", { class: "share-unified-settings-entry-button", type: "button" }, avatar(ME.initials, 56, ME.color),
    h("div", { class: "share-box-v2__title-wrap" }, title, h("span", { class: "share-box-v2__audience", text: "Post to Anyone" })));
  entry.addEventListener("click", () => openIdentityMenu(entry, title));
  return h("div", { class: "artdeco-modal__header share-box-v2__header" }, entry, dismiss);
}

/** Build the dialog; returns the handles the behaviour below needs. */
function buildDialog() {
  const editorEl = editorElement();
  const clipboard = h("div", { class: "ql-clipboard", contenteditable: "true", tabindex: "-1" });
  const previews = h("div", { class: "share-creation-state__media-preview share-images", "data-test-media-preview": "", hidden: true });
  const fileInput = h("input", { id: "media-editor-file-selector__file-input", class: "media-editor-file-selector__upload-media-input visually-hidden", type: "file", accept: MEDIA_ACCEPT, multiple: true });
  const addMedia = h("button", { class: "share-promoted-detour-button artdeco-button artdeco-button--circle artdeco-button--tertiary", "aria-label": "Add media", type: "button" },
    icon("M19 4H5a3 3 0 00-3 3v10a3 3 0 003 3h14a3 3 0 003-3V7a3 3 0 00-3-3zm1 13a1 1 0 01-.29.71L16 14l-2 2-6-6-4 4V7a1 1 0 011-1h14a1 1 0 011 1zm-2-7a2 2 0 11-2-2 2 2 0 012 2z"));
  const post = h("button", { class: "share-actions__primary-action artdeco-button artdeco-button--2 artdeco-button--primary", type: "button", disabled: true },
    h("span", { class: "artdeco-button__text", text: "Post" }));
  const dialog = h("div", { class: "artdeco-modal artdeco-modal--layer-default share-box-v2__modal", role: "dialog", "aria-labelledby": "share-to-linkedin-modal__header", "data-test-modal-id": "sharebox", "data-test-modal": "", tabindex: "-1" },
    header(() => closeShareBox()),
    h("div", { class: "artdeco-modal__content share-box-v2__modal-content" },
      h("div", { class: "share-creation-state__editor-container" },
        h("div", { class: "editor-container" }, h("div", { class: "ql-container" }, editorEl, clipboard))),
      previews),
    h("div", { class: "share-box-v2__footer" },
      h("div", { class: "share-creation-state__additional-toolbar" },
        h("button", { class: "artdeco-button artdeco-button--circle artdeco-button--tertiary", "aria-label": "Open Emoji Keyboard", type: "button", text: "☺" }),
        addMedia, fileInput),
      h("div", { class: "share-creation-state__footer" },
        h("button", { class: "share-actions__scheduled-post-btn artdeco-button artdeco-button--circle artdeco-button--tertiary", "aria-label": "Schedule post", type: "button" },
          icon("M12 2a10 10 0 1010 10A10 10 0 0012 2zm0 18a8 8 0 118-8 8 8 0 01-8 8zm1-13h-2v6l5 3 1-1.7-4-2.3z")),
        post)));
  const overlay = h("div", { class: "artdeco-modal-overlay artdeco-modal-overlay--layer-default artdeco-modal-overlay--is-top-layer" }, dialog);
  return { overlay, dialog, editorEl, previews, fileInput, addMedia, post };
}

/** Open the share box in the shadow root (a second open call only focuses the editor). */
export function openShareBox({ pickMedia = false } = {}) {
  if (current) {
    current.editor.root.focus();
    return current;
  }
  const parts = buildDialog();
  const editor = new DomModelEditor(parts.editorEl, { flavor: "quill", placeholder: PLACEHOLDER }).start();
  const box = { ...parts, editor, files: [], objectUrls: [] };
  current = box;
  wireBehaviour(box);
  outletRoot().replaceChildren(...stylesheets(), parts.overlay);
  editor.root.focus();
  if (pickMedia) openPicker(parts.fileInput);
  return box;
}

function closeShareBox() {
  if (!current) return;
  current.objectUrls.forEach((url) => URL.revokeObjectURL(url));
  outletRoot().replaceChildren();
  current = null;
}

function refreshPostButton(box) {
  box.post.disabled = box.editor.isBlank() && box.files.length === 0;
}

function wireBehaviour(box) {
  box.editor.addEventListener("change", () => refreshPostButton(box));
  box.editor.addEventListener("files", (event) => attachFiles(box, event.detail));
  box.addMedia.addEventListener("click", () => openPicker(box.fileInput));
  box.fileInput.addEventListener("change", () => attachFiles(box, filesFrom(box.fileInput)));
  box.dialog.addEventListener("dragover", (event) => event.preventDefault());
  box.dialog.addEventListener("drop", (event) => {
    event.preventDefault();
    attachFiles(box, filesFrom(event.dataTransfer));
  });
  box.post.addEventListener("click", () => submit(box));
  box.editor.root.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !box.post.disabled) {
      event.preventDefault();
      submit(box);
    }
  });
}

/** Attach images (LinkedIn takes a pasted or picked image straight into the share box). */
function attachFiles(box, files) {
  const images = files.filter((file) => file.type.startsWith("image/"));
  if (!images.length) return;
  box.files.push(...images);
  for (const file of images) {
    const url = URL.createObjectURL(file);
    box.objectUrls.push(url);
    const remove = h("button", { class: "share-images__remove artdeco-button artdeco-button--circle", "aria-label": "Remove media", type: "button", text: "✕" });
    const item = h("div", { class: "share-images__image-container" }, h("img", { class: "share-images__image", src: url, alt: file.name }), remove);
    remove.addEventListener("click", () => {
      box.files.splice(box.files.indexOf(file), 1);
      item.remove();
      box.previews.hidden = box.files.length === 0;
      refreshPostButton(box);
    });
    box.previews.append(item);
  }
  box.previews.hidden = false;
  refreshPostButton(box);
}

/** LinkedIn's Post: send the model text and the attached files as they are right now. */
function submit(box) {
  if (box.post.disabled) return;
  const text = box.editor.text;
  recordSubmission("post", text, box.files);
  closeShareBox();
  document.dispatchEvent(new CustomEvent("replica:posted", { detail: { text } }));
  showToast("Post successful.");
}

function showToast(message) {
  const toasts = document.querySelector(".artdeco-toasts_toasts");
  toasts.replaceChildren(h("div", { class: "artdeco-toast-item artdeco-toast-item--visible", role: "alert", "data-test-artdeco-toast-item-type": "success" },
    h("span", { class: "artdeco-toast-item__message", text: message }), h("a", { href: "#", text: "View post" })));
}
