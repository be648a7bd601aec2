/**
 * Who the user posts as, read by each site adapter on captured DOM (shaped after shared/feed-dom.md)
 * in English and Chinese: LinkedIn's share-box identity line, "Comment as ‹Page›…", the per-post
 * identity switcher and the nav; Facebook's "What's on your mind, ‹Name›?" and "Comment as ‹Name›";
 * Instagram's current account in the nav. The check request carries it to the companion.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { JSDOM } from "jsdom";
import { evalModules } from "./helpers/bundle.js";
import { checkRequest } from "../../extension/background/validate.js";

/** A jsdom window with `html` and only the adapter base and the site's adapter loaded. */
function load(site, html) {
  const dom = new JSDOM(`<!doctype html><body>${html}</body>`, { url: `https://www.${site}.com/`, runScripts: "outside-only" });
  const { adapter } = evalModules(dom.window, `export { default as adapter } from "./content/sites/${site}.js";`);
  return { doc: dom.window.document, adapter };
}

const LINKEDIN_NAV = '<nav class="global-nav"><div class="global-nav__me"><img class="global-nav__me-photo" alt="Li Wei"></div></nav>';
const sharebox = (name, audience) => `<div data-test-modal-id="sharebox" role="dialog">
  <button class="share-unified-settings-entry-button" type="button"><span class="avatar">LW</span>
    <div><h2 class="share-box-v2__title">${name}</h2><span class="share-box-v2__audience">${audience}</span></div></button>
  <div class="ql-editor" contenteditable="true" role="textbox" aria-label="Text editor for creating content"></div></div>`;

test("linkedin: the share box's first line is the acting identity, in English and Chinese", () => {
  for (const [name, audience] of [["Li Wei", "Post to Anyone"], ["Lumen Hardware Co., Ltd.", "Post to Anyone"],
    ["李伟", "发布给所有人"], ["流明五金", "发布给所有人"]]) {
    const { doc, adapter } = load("linkedin", LINKEDIN_NAV + sharebox(name, audience));
    assert.equal(adapter.actingIdentity(doc.querySelector('[data-test-modal-id="sharebox"]')), name);
  }
});

test("linkedin: a comment box says 'Comment as ‹Page›…'; the post's identity switcher and the nav back it up", () => {
  const post = (placeholder, alt) => `<div class="feed-shared-update-v2" role="article" data-urn="urn:li:activity:1">
    <div class="feed-shared-social-action-bar"><button class="content-admin-identity-toggle-button"
      aria-label="Open menu for switching identity when interacting with this post"><img alt="${alt}"></button></div>
    <form class="comments-comment-box__form"><div contenteditable="true" role="textbox"
      aria-placeholder="${placeholder}" aria-label="Text editor for creating comment"></div></form></div>`;
  const cases = [
    [post("Comment as Lumen Hardware Co., Ltd.…", "Photo of Lumen Hardware Co., Ltd."), "Lumen Hardware Co., Ltd."],
    [post("以 流明五金 身份评论…", "流明五金的照片"), "流明五金"],
    [post("Add a comment…", "Photo of Lumen Hardware Co., Ltd."), "Lumen Hardware Co., Ltd."],
    [post("添加评论…", "流明五金的照片"), "流明五金"],
    [post("Add a comment…", "Company logo"), "Li Wei"],
  ];
  for (const [html, expected] of cases) {
    const { doc, adapter } = load("linkedin", LINKEDIN_NAV + html);
    assert.equal(adapter.actingIdentity(doc.querySelector("form.comments-comment-box__form")), expected, html);
  }
});

test("facebook: 'What's on your mind, ‹Name›?' and 'Comment as ‹Name›' in English and Chinese", () => {
  const box = (label) => `<div role="dialog" aria-label="Create post"><form method="POST">
    <div contenteditable="true" role="textbox" data-lexical-editor="true" aria-label="${label}"></div></form></div>`;
  const cases = [
    ["What's on your mind, Li Wei?", "Li Wei"], ["What’s on your mind, Lumen Hardware?", "Lumen Hardware"],
    ["Comment as Lumen Hardware", "Lumen Hardware"], ["李伟，你在想什么？", "李伟"], ["以流明五金的身份评论", "流明五金"],
  ];
  for (const [label, expected] of cases) {
    const { doc, adapter } = load("facebook", box(label));
    assert.equal(adapter.actingIdentity(doc.querySelector('[role="dialog"]')), expected, label);
  }
  const older = load("facebook", `<a aria-label="Li Wei's timeline" href="/li.wei"></a>${box("Write a comment…")}`);
  assert.equal(older.adapter.actingIdentity(older.doc.querySelector('[role="dialog"]')), "Li Wei", "the nav link backs it up");
});

test("instagram: the current account from the nav's Profile link, in English and Chinese", () => {
  const nav = (label, href, alt) => `<div role="navigation"><a href="/explore/"><span>Explore</span></a>
    <a href="${href}" role="link"><img alt="${alt}"><span>${label}</span></a></div>
    <div role="dialog"><div contenteditable="true" role="textbox" aria-label="Write a caption..."></div></div>
    <article><a href="/northwind.hardware/"><img alt="northwind.hardware's profile picture"></a></article>`;
  for (const [html, expected] of [
    [nav("Profile", "/li.wei.exports/", "li.wei.exports's profile picture"), "li.wei.exports"],
    [nav("个人主页", "/lumenhardware.official/", "lumenhardware.official的头像"), "lumenhardware.official"],
    [nav("Profile", "/#", "lumenhardware.official's profile picture"), "lumenhardware.official"],
  ]) {
    const { doc, adapter } = load("instagram", html);
    assert.equal(adapter.actingIdentity(doc.querySelector('[role="dialog"]')), expected);
  }
});

test("a page that does not say who the user is gives no identity, and a broken page never throws", () => {
  const { doc, adapter } = load("linkedin", '<div role="dialog"><div contenteditable="true"></div></div>');
  assert.equal(adapter.actingIdentity(doc.querySelector('[role="dialog"]')), "");
  assert.equal(adapter.actingIdentity(null), "");
});

test("the worker passes the acting identity on to the check, trimmed, and refuses one that is not text", () => {
  const base = { text: "hi", images: [], platform: "linkedin", url: "https://www.linkedin.com/feed/" };
  assert.equal(checkRequest({ ...base, actingAs: "  Li Wei " }).actingAs, "Li Wei");
  assert.equal("actingAs" in checkRequest(base), false);
  assert.equal(checkRequest({ ...base, actingAs: 42 }), null);
});
