/*
 * Instagram adapter (www.instagram.com): the "Create new post" flow in one div[role=dialog]:
 * select (file input) → Crop (Next) → Edit (Next) → caption (Share). Header buttons are
 * div[role=button] known only by their text. The original file is only seen at the select step, so
 * images are captured there and kept with the dialog; the final check belongs on Share.
 * Under each feed post, `textarea[aria-label="Add a comment…"]` sends a comment by its "Post" control or
 * by Enter (feed-dom.md): a comment box, checked like a post; the post it goes under is asked about
 * first (feed/comment-gate.js).
 */
import { defineAdapter } from "../core/adapter-base.js";

const SHARE_LABELS = [
  "share", "compartir", "partager", "condividi", "teilen", "delen", "udostępnij", "поделиться",
  "シェア", "分享", "공유", "paylaş", "chia sẻ", "compartilhar",
];
const NEXT_LABELS = ["next", "siguiente", "suivant", "avanti", "weiter", "volgende", "dalej", "далее", "次へ", "下一步", "다음", "ileri", "avançar"];

// The comment box under a post and its send control. English from feed-dom.md; the others unconfirmed (2026-12).
const ADD_A_COMMENT = ["Add a comment…", "Add a comment...", "Kommentar hinzufügen …", "Ajouter un commentaire…", "添加评论…", "添加评论..."];
const COMMENT_BOXES = ADD_A_COMMENT.map((label) => `textarea[aria-label="${label}"]`);
const POST_LABELS = ["post", "posten", "publier", "publicar", "发布", "發佈"];

const PROFILE_LABELS = ["profile", "个人主页", "主页", "個人檔案", "profil", "perfil", "profilo", "プロフィール", "프로필"];
const PICTURE_ALT = [/^(.+?)(?:'|’)s profile picture$/i, /^(.+?)的头像$/, /^(.+?)的大頭貼照$/];

/**
 * The current account (feed-dom.md): the nav's "Profile" link `a[href="/‹current›/"]`, whose picture
 * reads "‹current›'s profile picture". Instagram has no per-post identity; switching reloads the page.
 */
function actingIdentity(_composerRoot, doc) {
  for (const link of doc.querySelectorAll('a[href^="/"]')) {
    const labels = [link.getAttribute("aria-label"), ...[...link.querySelectorAll("span, div")].filter((el) => !el.children.length).map((el) => el.textContent)];
    if (!labels.some((label) => PROFILE_LABELS.includes((label || "").trim().toLowerCase()))) continue;
    const handle = /^\/([^/?#]+)\/?$/.exec(link.getAttribute("href"))?.[1];
    if (handle) return decodeURIComponent(handle);
    for (const img of link.querySelectorAll("img[alt]")) {
      for (const pattern of PICTURE_ALT) {
        const found = pattern.exec(img.getAttribute("alt").trim());
        if (found) return found[1];
      }
    }
  }
  return "";
}

export default defineAdapter({
  id: "instagram",
  actingIdentity,
  platform: "instagram",
  editorSelectors: [
    'div[aria-label="Write a caption..."][contenteditable="true"]',
    'div[contenteditable="true"][role="textbox"]',
    'textarea[aria-label="Write a caption..."]',
    ...COMMENT_BOXES,
  ],
  submitRules: [
    { selector: 'div[role="button"], button', labels: SHARE_LABELS, kind: "post" },
    { selector: 'div[role="button"], button', labels: NEXT_LABELS, kind: "next" },
    // The comment box's "Post" sits in the box's form with it (a post's own controls are svg icons).
    { selector: 'article form div[role="button"], article form button', labels: POST_LABELS, kind: "comment" },
  ],
  rootSelectors: ['[role="dialog"]'],
  /** Enter sends from a post's comment box (Shift+Enter is a line break); the caption's Enter is a new line. */
  enterSubmits: (editor) => COMMENT_BOXES.some((selector) => editor.matches(selector)),
  allowEditorless: true,
  fileInputSelector: 'input[type="file"]',
});
