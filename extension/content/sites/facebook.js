/*
 * Facebook adapter (www.facebook.com): the "Create post" dialog and comment boxes.
 * Lexical editors (data-lexical-editor="true"); the Post control is a div[role=button] with an
 * aria-label, aria-disabled="true" while the post is empty (a "Post, 1" label was seen in 2025).
 * Comment boxes have no button: Enter sends, Shift+Enter is a new line.
 */
import { defineAdapter } from "../core/adapter-base.js";

const POST_LABELS = [
  "post", "publier", "publicar", "pubblica", "posten", "veröffentlichen", "опубликовать", "opublikuj",
  "plaatsen", "发布", "發佈", "投稿する", "게시", "paylaş", "đăng",
];
const NEXT_LABELS = ["next", "suivant", "siguiente", "avanti", "weiter", "далее", "下一步", "次へ", "다음"];
const COMMENT_LABEL = /comment|commentaire|comentario|commento|kommentar|комментар|评论|留言|コメント|댓글|yorum|bình luận/i;
// A reply to a comment ("Reply to ‹Name›") is a comment under the post too: Enter sends it.
const REPLY_LABEL = /reply|répondre|responder|rispondi|antwort|ответ|回复|回覆|返信|답글|yanıt|trả lời/i;

/** The acting name in the composer's own words (feed-dom.md): the post box and the comment box. */
const ACTING_LABELS = [
  /^What(?:'|’)s on your mind, (.+?)\?$/i, /^Comment as (.+?)$/i,
  /^(.+?)，(?:你|您)在想些?什么？$/, /^在想些什么，(.+?)？$/, /^以\s*(.+?)\s*的身份(?:发表)?评论/,
];
const TIMELINE = [/^(.+?)(?:'|’)s timeline$/i, /^(.+?)的时间线$/];

function nameIn(text, patterns) {
  for (const pattern of patterns) {
    const found = pattern.exec((text || "").trim());
    if (found) return found[1];
  }
  return "";
}

/**
 * Who the user posts as: the editor's "What's on your mind, ‹Name›?" or "Comment as ‹Name›" (aria-label
 * or placeholder; switching to a Page changes both), else the nav's "‹Name›'s timeline" link.
 */
function actingIdentity(composerRoot, doc) {
  for (const editor of composerRoot?.querySelectorAll?.('[contenteditable="true"][role="textbox"]') || []) {
    for (const attr of ["aria-label", "aria-placeholder"]) {
      const name = nameIn(editor.getAttribute(attr), ACTING_LABELS);
      if (name) return name;
    }
  }
  const placeholder = composerRoot?.querySelector?.('[id^="placeholder"], [aria-hidden="true"][class*="placeholder"]');
  const fromPlaceholder = nameIn(placeholder?.textContent, ACTING_LABELS);
  if (fromPlaceholder) return fromPlaceholder;
  for (const link of doc.querySelectorAll("a[aria-label]")) {
    const name = nameIn(link.getAttribute("aria-label"), TIMELINE);
    if (name) return name;
  }
  return "";
}

export default defineAdapter({
  id: "facebook",
  actingIdentity,
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
  /** A comment or reply box: labelled "Write a comment…", "Reply to ‹Name›" (or a translation). */
  enterSubmits: (editor) => [editor.getAttribute("aria-label"), editor.getAttribute("aria-placeholder")]
    .some((label) => COMMENT_LABEL.test(label || "") || REPLY_LABEL.test(label || "")),
  fileInputSelector: 'input[type="file"]',
  // The attachment's close control (seen 2021–25) removes every photo in it.
  removeImage: { selector: '[role="button"][aria-label="Remove post attachment" i]', removes: "all" },
});
