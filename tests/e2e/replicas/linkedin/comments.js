/**
 * LinkedIn comment boxes, both generations seen in 2024–26:
 * - older: `form.comments-comment-box__form` with a Quill `.ql-editor` and
 *   `button.comments-comment-box__submit-button--cr` ("Comment"), submitted through the form;
 * - newer: `[data-view-name="comment-box"]` with a TipTap/ProseMirror `.tiptap.ProseMirror` editor,
 *   `[aria-label="Share photo"]` → `input[type=file][accept="image/*"]`, and
 *   `button[data-view-name="comment-post"]`, submitted by a click listener on the button.
 * Both send the editor's model text (read from the DOM a tick late) and are disabled while empty.
 * `onSend(text, files)` is what the site does with a sent comment (by default recorded as a submission;
 * under a feed post of the reaction guard's, as that post's "comment" action).
 * Replies: with `onReply(text)`, each comment in the list (`existing` ones first) has a "Reply" button
 * that opens a reply box of the same generation nested under that comment, in
 * `.comments-comment-item__nested-items`: the same form or box, its button reading "Reply" and its
 * placeholder "Add a reply…" (replica assumption: LinkedIn's reply box is its comment box in a nested
 * list, not described in composer-dom.md or feed-dom.md).
 */

import { avatar, filesFrom, h, icon, openPicker } from "../common/dom.js";
import { DomModelEditor } from "../common/dom-model-editor.js";
import { recordSubmission } from "../common/replica-record.js";
import { ME } from "./profile.js";

const PLACEHOLDER = "Add a comment…";

function commentList() {
  return h("div", { class: "comments-comments-list" });
}

/** A comment in the list; with `reply` (the box builder and what a sent reply does), its "Reply" button. */
function appendComment(list, text, { name = ME.name, initials = ME.initials, color = ME.color, reply = null } = {}) {
  const nested = h("div", { class: "comments-comment-item__nested-items" });
  const replyButton = reply ? h("button", { type: "button", class: "comments-comment-social-bar__reply-action-button", "aria-label": `Reply to ${name}’s comment`, text: "Reply" }) : null;
  replyButton?.addEventListener("click", () => {
    if (!nested.firstChild) nested.append(reply.build({ onSend: (sent) => reply.onSend(sent), submitLabel: "Reply", placeholder: "Add a reply…" }));
    nested.querySelector("[contenteditable]")?.focus();
  });
  list.append(h("article", { class: "comments-comment-entity" }, avatar(initials, 32, color),
    h("div", { class: "comments-comment-entity__body" },
      h("div", { class: "comments-comment-entity__content" },
        h("span", { class: "comments-comment-meta__description-title", text: name }),
        h("span", { class: "comments-comment-item__main-content", text })),
      replyButton ? h("div", { class: "comments-comment-social-bar" }, replyButton) : null,
      nested)));
}

/** The list under a box, with the comments already there (each with "Reply" when the post takes replies). */
function listWith(existing, reply) {
  const list = commentList();
  for (const [name, initials, color, text] of existing) appendComment(list, text, { name, initials, color, reply });
  return list;
}

/** The older, form-based Quill comment box. */
export function buildOldCommentBox({ onSend = (text, files) => recordSubmission("comment", text, files), existing = [],
  onReply = null, submitLabel = "Comment", placeholder = PLACEHOLDER } = {}) {
  const reply = onReply ? { build: buildOldCommentBox, onSend: onReply } : null;
  const editorEl = h("div", {
    class: "ql-editor ql-blank",
    contenteditable: "true",
    "data-gramm": "false",
    role: "textbox",
    "aria-multiline": "true",
    "aria-label": "Text editor for creating content",
    "data-placeholder": placeholder,
  });
  const submit = h("button", { class: "comments-comment-box__submit-button--cr artdeco-button artdeco-button--1 artdeco-button--primary", type: "submit", disabled: true },
    h("span", { class: "artdeco-button__text", text: submitLabel }));
  const form = h("form", { class: "comments-comment-box__form" },
    h("div", { class: "comments-comment-box-comment__text-editor" },
      h("div", { class: "editor-container" }, h("div", { class: "ql-container" }, editorEl))),
    h("div", { class: "comments-comment-box__detour-container" }, submit));
  const editor = new DomModelEditor(editorEl, { flavor: "quill", placeholder }).start();
  const list = listWith(existing, reply);
  editor.addEventListener("change", () => (submit.disabled = editor.isBlank()));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (editor.isBlank()) return;
    const text = editor.text;
    onSend(text, []);
    appendComment(list, text, { reply });
    editor.clear();
  });
  return h("div", { class: "comments-comment-box comments-comment-box--cr" },
    h("div", { class: "comments-comment-box__row" }, avatar(ME.initials, 40, ME.color), form), list);
}

/** The newer TipTap comment box with its photo button. */
export function buildNewCommentBox({ onSend = (text, files) => recordSubmission("comment", text, files), existing = [],
  onReply = null, submitLabel = "Comment", placeholder = PLACEHOLDER } = {}) {
  const reply = onReply ? { build: buildNewCommentBox, onSend: onReply } : null;
  const editorEl = h("div", {
    class: "tiptap ProseMirror",
    contenteditable: "true",
    role: "textbox",
    translate: "no",
    "aria-multiline": "true",
    "aria-label": "Text editor for creating comment",
  });
  const editor = new DomModelEditor(editorEl, { flavor: "prosemirror", placeholder }).start();
  const files = [];
  const fileInput = h("input", { type: "file", accept: "image/*", class: "visually-hidden" });
  const sharePhoto = h("button", { type: "button", "aria-label": "Share photo", class: "comment-box__icon-button" },
    icon("M19 4H5a3 3 0 00-3 3v10a3 3 0 003 3h14a3 3 0 003-3V7a3 3 0 00-3-3zm-2 6a2 2 0 11-2-2 2 2 0 012 2zM4 17l5-5 4 4 2-2 5 5z", { size: 20 }));
  const previews = h("div", { class: "comment-box__previews" });
  const post = h("button", { type: "button", "data-view-name": "comment-post", class: "comment-box__post-button", disabled: true, text: submitLabel });
  const list = listWith(existing, reply);
  const refresh = () => (post.disabled = editor.isBlank() && files.length === 0);
  const attach = (picked) => {
    for (const file of picked.filter((f) => f.type.startsWith("image/"))) {
      files.push(file);
      previews.append(h("img", { src: URL.createObjectURL(file), alt: file.name, class: "comment-box__preview" }));
    }
    refresh();
  };
  editor.addEventListener("change", refresh);
  editor.addEventListener("files", (event) => attach(event.detail));
  sharePhoto.addEventListener("click", () => openPicker(fileInput));
  fileInput.addEventListener("change", () => attach(filesFrom(fileInput)));
  post.addEventListener("click", () => {
    if (post.disabled) return;
    const text = editor.text;
    onSend(text, files);
    appendComment(list, text, { reply });
    files.length = 0;
    previews.replaceChildren();
    editor.clear();
  });
  return h("div", { class: "comments-comment-box--new" },
    h("div", { "data-view-name": "comment-box", class: "comment-box" }, avatar(ME.initials, 40, ME.color),
      h("div", { class: "comment-box__field" }, editorEl, previews),
      h("div", { class: "comment-box__actions" }, sharePhoto, fileInput, post)),
    list);
}
