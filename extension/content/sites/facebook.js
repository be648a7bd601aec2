/*
 * Facebook adapter (www.facebook.com): the "Create post" dialog and comment boxes.
 * Lexical editors (data-lexical-editor="true"); the Post control is a div[role=button] with an
 * aria-label, aria-disabled="true" while the post is empty (a "Post, 1" label was seen in 2025).
 * Comment boxes have no button: Enter sends, Shift+Enter is a new line.
 */
(function defineFacebook(root) {
  "use strict";
  const pg = root.postguard;

  const POST_LABELS = [
    "post", "publier", "publicar", "pubblica", "posten", "veröffentlichen", "опубликовать", "opublikuj",
    "plaatsen", "发布", "發佈", "投稿する", "게시", "paylaş", "đăng",
  ];
  const NEXT_LABELS = ["next", "suivant", "siguiente", "avanti", "weiter", "далее", "下一步", "次へ", "다음"];
  const COMMENT_LABEL = /comment|commentaire|comentario|commento|kommentar|комментар|评论|留言|コメント|댓글|yorum|bình luận/i;

  pg.defineAdapter({
    id: "facebook",
    platform: "facebook",
    editorSelectors: [
      'div[contenteditable="true"][role="textbox"][data-lexical-editor="true"]',
      'div[contenteditable="true"][role="textbox"]',
    ],
    submitRules: [
      { selector: 'div[role="button"][aria-label], button[aria-label]', labels: POST_LABELS, kind: "post" },
      { selector: 'div[role="button"], button', labels: POST_LABELS, kind: "post" },
      { selector: 'div[role="button"][aria-label], div[role="button"]', labels: NEXT_LABELS, kind: "next" },
    ],
    rootSelectors: ['[role="dialog"]', 'form[method="POST"]', '[role="article"]'],
    /** A comment box: labelled "Write a comment…" (or a translation) and not inside the post dialog. */
    enterSubmits: (editor) => COMMENT_LABEL.test(editor.getAttribute("aria-label") || "")
      || COMMENT_LABEL.test(editor.getAttribute("aria-placeholder") || ""),
    fileInputSelector: 'input[type="file"]',
    // The attachment's close control (seen 2021–25) removes every photo in it.
    removeImage: { selector: '[role="button"][aria-label="Remove post attachment" i]', removes: "all" },
  });
})(globalThis);
