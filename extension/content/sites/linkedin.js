/*
 * LinkedIn adapter (www.linkedin.com): the feed share box and comment boxes.
 * Seen 2025–26: the share box renders inside the OPEN shadow root of
 * div#interop-outlet[data-testid="interop-shadowdom"] (some sessions still render it in the light
 * DOM; both work because the guard reads event.composedPath()), and a hidden decoy `.ql-editor`
 * sits in the light DOM (skipped because it is not visible).
 */
(function defineLinkedIn(root) {
  "use strict";
  const pg = root.postguard;

  /** The share box's primary button reads "Post" (or "Next" while scheduling, which is not a submit). */
  const POST_LABELS = [
    "post", "posten", "veröffentlichen", "julkaise", "опубликовать", "publier", "publicar", "pubblica",
    "publiceren", "opublikuj", "发布", "發佈", "投稿", "게시", "yayınla",
  ];
  const COMMENT_LABELS = [
    "comment", "kommentieren", "kommentoi", "комментировать", "commenter", "comentar", "commenta",
    "reageren", "skomentuj", "评论", "留言", "コメント", "댓글", "yorum yap", "reply", "antworten", "回复",
  ];

  pg.defineAdapter({
    id: "linkedin",
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
})(globalThis);
