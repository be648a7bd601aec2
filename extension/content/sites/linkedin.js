/*
 * LinkedIn adapter (www.linkedin.com): the feed share box and comment boxes.
 * Seen 2025–26: the share box renders inside the OPEN shadow root of
 * div#interop-outlet[data-testid="interop-shadowdom"] (some sessions still render it in the light
 * DOM; both work because the guard reads event.composedPath()), and a hidden decoy `.ql-editor`
 * sits in the light DOM (skipped because it is not visible).
 */
import { defineAdapter } from "../core/adapter-base.js";

/** The share box's primary button reads "Post" (or "Next" while scheduling, which is not a submit). */
const POST_LABELS = [
  "post", "posten", "veröffentlichen", "julkaise", "опубликовать", "publier", "publicar", "pubblica",
  "publiceren", "opublikuj", "发布", "發佈", "投稿", "게시", "yayınla",
];
const COMMENT_LABELS = [
  "comment", "kommentieren", "kommentoi", "комментировать", "commenter", "comentar", "commenta",
  "reageren", "skomentuj", "评论", "留言", "コメント", "댓글", "yorum yap", "reply", "antworten", "回复",
];

/** "Photo of ‹acting name›" on the per-post identity switcher, "Comment as ‹Page›…" in a comment box. */
const PHOTO_OF = [/^Photo of (.+)$/i, /^(.+?)的照片$/];
const COMMENT_AS = [/^Comment as (.+?)\s*(?:…|\.\.\.)?$/i, /^以\s*(.+?)\s*(?:的)?身份(?:发表)?评论/];
const firstMatch = (text, patterns) => {
  for (const pattern of patterns) {
    const found = pattern.exec((text || "").trim());
    if (found) return found[1];
  }
  return "";
};

/**
 * Who the user posts as (feed-dom.md, live probes 2026-08): the share box's identity line (line 1 of
 * button.share-unified-settings-entry-button, line 2 is the audience), else a comment box's
 * "Comment as ‹Page›…", else the post's identity switcher, else the member in the global nav.
 */
function actingIdentity(composerRoot, doc) {
  const entry = composerRoot?.querySelector?.("button.share-unified-settings-entry-button");
  if (entry) {
    const line = entry.querySelector("h2, .share-box-v2__title") || [...entry.querySelectorAll("span, div")].find((el) => !el.children.length && el.textContent.trim());
    if (line?.textContent.trim()) return line.textContent;
  }
  for (const editor of composerRoot?.querySelectorAll?.('[contenteditable="true"]') || []) {
    for (const attr of ["aria-placeholder", "data-placeholder", "aria-label"]) {
      const name = firstMatch(editor.getAttribute(attr), COMMENT_AS);
      if (name) return name;
    }
  }
  const post = composerRoot?.closest?.('[role="article"], [data-id^="urn:li:activity:"], [role="listitem"]');
  const toggle = post?.querySelector('button.content-admin-identity-toggle-button img[alt]');
  const fromToggle = toggle && firstMatch(toggle.getAttribute("alt"), PHOTO_OF);
  if (fromToggle) return fromToggle;
  return doc.querySelector("img.global-nav__me-photo")?.getAttribute("alt") || "";
}

export default defineAdapter({
  id: "linkedin",
  actingIdentity,
  platform: "linkedin",
  editorSelectors: [
    '[data-test-ql-editor-contenteditable="true"]',
    '.ql-editor[contenteditable="true"]',
    '[role="textbox"][contenteditable="true"][aria-label^="Text editor for creating"]',
    '.tiptap.ProseMirror[contenteditable="true"]',
  ],
  submitRules: [
    { selector: "button.share-actions__primary-action", labels: POST_LABELS, kind: "post" },
    { selector: '[data-test-modal-id="sharebox"] button, [role="dialog"] button', labels: POST_LABELS, kind: "post" },
    { selector: "button.comments-comment-box__submit-button--cr", kind: "comment" },
    { selector: 'button[data-view-name="comment-post"]', kind: "comment" },
    { selector: "form.comments-comment-box__form button[type=submit]", labels: COMMENT_LABELS, kind: "comment" },
  ],
  rootSelectors: [
    '[data-test-modal-id="sharebox"]',
    '[role="dialog"]',
    "form.comments-comment-box__form",
    '[data-view-name="comment-box"]',
  ],
  enterSubmits: () => false,
  fileInputSelector: 'input[type="file"]',
  // One remove button per photo preview. The label is not in composer-dom.md (not confirmed on the live
  // site, 2026): when it does not match, the swap is refused and counted as an image miss.
  removeImage: { selector: 'button[aria-label="Remove media"]', removes: "one" },
});
