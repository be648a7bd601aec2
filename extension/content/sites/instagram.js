/*
 * Instagram adapter (www.instagram.com): the "Create new post" flow in one div[role=dialog]:
 * select (file input) → Crop (Next) → Edit (Next) → caption (Share). Header buttons are
 * div[role=button] known only by their text. The original file is only seen at the select step, so
 * images are captured there and kept with the dialog; the final check belongs on Share.
 */
(function defineInstagram(root) {
  "use strict";
  const pg = root.postguard;

  const SHARE_LABELS = [
    "share", "compartir", "partager", "condividi", "teilen", "delen", "udostępnij", "поделиться",
    "シェア", "分享", "공유", "paylaş", "chia sẻ", "compartilhar",
  ];
  const NEXT_LABELS = ["next", "siguiente", "suivant", "avanti", "weiter", "volgende", "dalej", "далее", "次へ", "下一步", "다음", "ileri", "avançar"];

  pg.defineAdapter({
    id: "instagram",
    platform: "instagram",
    editorSelectors: [
      'div[aria-label="Write a caption..."][contenteditable="true"]',
      'div[contenteditable="true"][role="textbox"]',
      'textarea[aria-label="Write a caption..."]',
    ],
    submitRules: [
      { selector: 'div[role="button"], button', labels: SHARE_LABELS, kind: "post" },
      { selector: 'div[role="button"], button', labels: NEXT_LABELS, kind: "next" },
    ],
    rootSelectors: ['[role="dialog"]'],
    enterSubmits: () => false,
    allowEditorless: true,
    fileInputSelector: 'input[type="file"]',
  });
})(globalThis);
