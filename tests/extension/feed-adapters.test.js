/**
 * The feed adapters on captured DOM (tests/extension/fixtures/feed/, shaped after shared/feed-dom.md):
 * who wrote a post (name and handle) and what it says, in several languages and scripts, in both
 * LinkedIn renderings; which clicks are guarded controls, and that taking a reaction back never is.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";
import { evalModules } from "./helpers/bundle.js";

const FIXTURES = new URL("./fixtures/feed/", import.meta.url);

/** The site's feed adapter module (and the base's defineFeedAdapter), evaluated in `win`. */
const feedModules = (win, site) => evalModules(win, `export { default as adapter } from "./content/feed/${site}-feed.js";
export { defineFeedAdapter } from "./content/feed/feed-adapter-base.js";`);

/** A jsdom window with the fixture and only the feed base and the site's adapter loaded. */
function load(fixture, site) {
  const dom = new JSDOM(readFileSync(new URL(fixture, FIXTURES), "utf8"), { url: `https://www.${site}.com/feed/`, runScripts: "outside-only" });
  const win = dom.window;
  return { win, doc: win.document, adapter: feedModules(win, site).adapter };
}

const posts = (doc, adapter) => [...doc.querySelectorAll(adapter.posts)].filter((p) => adapter.postOf(p) === p);

test("linkedin: author, handle, text and id in both renderings, several scripts", () => {
  const { doc, adapter } = load("linkedin-feed-posts.html", "linkedin");
  const found = posts(doc, adapter).map((p) => ({ id: adapter.postId(p), ...adapter.author(p), text: adapter.text(p) }));
  assert.deepEqual(found, [
    { id: "urn:li:activity:7401", name: "Müller Beschläge GmbH", handle: "/company/mueller-beschlaege/",
      text: "Neue Scharniere für die Küche.\nBesuchen Sie uns in Halle 3." },
    { id: "urn:li:activity:7402", name: "王芳", handle: "/in/wang-fang-3a1b/", text: "我们的新工厂今天开业了！" },
    { id: "urn:li:activity:7403-FeedType_MAIN_FEED", name: "شركة النور للتجارة", handle: "/company/al-noor-trading/",
      text: "نفتتح مستودعا جديدا في جبل علي." },
    { id: "urn:li:activity:7404-FeedType_MAIN_FEED", name: "Ana Souza", handle: "", text: "Ótima semana na feira!" },
  ], "the social-proof line above the actor is not the author; the SDUI name comes from the control menu's label");
});

test("linkedin: reactions, the flyout, comment and repost are guarded; un-react, Send and other menu items are not", () => {
  const { doc, adapter } = load("linkedin-feed-posts.html", "linkedin");
  const at = (selector) => adapter.control(doc.querySelector(selector));
  assert.deepEqual(pick(at('[data-urn$="7401"] .react-button__trigger')), { action: "react", turnsOn: true });
  assert.deepEqual(pick(at('[aria-label="React Celebrate"] img')), { action: "react", turnsOn: true });
  assert.equal(at('[aria-label="React Celebrate"]').reaction, "celebrate");
  assert.deepEqual(pick(at('[data-urn$="7402"] .react-button__trigger')), { action: "react", turnsOn: false });
  assert.deepEqual(pick(at('[data-view-name="reaction-button"][aria-label$="no reaction"]')), { action: "react", turnsOn: true });
  assert.deepEqual(pick(at('[data-view-name="reaction-button"][aria-label$="Celebrate"]')), { action: "react", turnsOn: false });
  assert.deepEqual(pick(at(".comment-button")), { action: "comment", turnsOn: true });
  assert.deepEqual(pick(at("#li-repost")), { action: "repost", turnsOn: true }, "a German label inside the reshare dropdown");
  assert.deepEqual(pick(at("#li-thoughts")), { action: "repost", turnsOn: true });
  assert.deepEqual(pick(at("#sdui-repost")), { action: "repost", turnsOn: true });
  assert.equal(at("#sdui-other"), null);
  assert.equal(at(".send-privately-button"), null);
  assert.equal(at('[data-view-name="feed-send-as-message-button"]'), null);
});

test("facebook: author and text by data hooks and by the older h3 markup; comments are not posts", () => {
  const { doc, adapter } = load("facebook-feed-posts.html", "facebook");
  const found = posts(doc, adapter).map((p) => ({ id: adapter.postId(p), ...adapter.author(p), text: adapter.text(p) }));
  assert.deepEqual(found, [
    { id: "/yongkangdragontools/posts/pfbid0abc", name: "永康龙工具", handle: "/yongkangdragontools", text: "新品发布：专业级手动工具系列。" },
    { id: "/dupont.equipement/posts/pfbid0def", name: "Dupont Équipement", handle: "/dupont.equipement", text: "Nous ouvrons un nouvel entrepôt à Lyon." },
  ]);
  const comment = doc.querySelector('[aria-label="Comment by Mei Chen"]');
  assert.equal(adapter.postOf(comment), doc.querySelector('[aria-posinset="1"]'));
});

test("facebook: like by its language-independent hook, 'Remove …' is taking it back, public shares only", () => {
  const { doc, adapter } = load("facebook-feed-posts.html", "facebook");
  const at = (selector) => adapter.control(doc.querySelector(selector));
  assert.deepEqual(pick(at("#fb-like span")), { action: "react", turnsOn: true }, "a Chinese label");
  assert.deepEqual(pick(at("#fb-remove")), { action: "react", turnsOn: false });
  assert.deepEqual(pick(at('[aria-label="Leave a comment"]')), { action: "comment", turnsOn: true });
  assert.equal(at('[aria-label^="Send this to friends"]'), null, "the trigger only opens the menu");
  assert.deepEqual(pick(at("#fb-share-now")), { action: "share", turnsOn: true });
  assert.equal(at("#fb-messenger"), null, "a private message is not public");
  assert.equal(at("#fb-comment-like"), null, "a comment's own Like is not the post's");
});

test("instagram: the handle from the header link, the caption after it, several languages", () => {
  const { doc, adapter } = load("instagram-feed-posts.html", "instagram");
  const found = posts(doc, adapter).map((p) => ({ id: adapter.postId(p), ...adapter.author(p), text: adapter.text(p) }));
  assert.deepEqual(found, [
    { id: "/p/C1abcDEF/", name: "nordvik.interior", handle: "nordvik.interior", text: "Ny kollektion för hösten – välkommen till vår butik i Göteborg!" },
    { id: "/reel/C2xyz/", name: "yamada_kanamono", handle: "yamada_kanamono", text: "新しい蝶番のサンプルが届きました。" },
  ]);
});

test("instagram: Like, Comment, Repost and a double tap are guarded; Unlike, Share Post, Save and a double tap on a liked post are not", () => {
  const { doc, adapter } = load("instagram-feed-posts.html", "instagram");
  const at = (selector) => adapter.control(doc.querySelector(selector));
  assert.deepEqual(pick(at("#ig-like svg")), { action: "react", turnsOn: true });
  assert.deepEqual(pick(at("#ig-comment")), { action: "comment", turnsOn: true });
  assert.deepEqual(pick(at("#ig-repost")), { action: "repost", turnsOn: true });
  assert.deepEqual(pick(at("#ig-unlike")), { action: "react", turnsOn: false });
  assert.equal(at("#ig-share"), null);
  assert.equal(at("#ig-save"), null);
  assert.deepEqual(pick(adapter.doubleTap(doc.querySelector("#ig-media"))), { action: "react", turnsOn: true });
  assert.deepEqual(pick(adapter.doubleTap(doc.querySelector("#ig2-media"))), { action: "react", turnsOn: false });
});

test("an adapter that does not answer every question is refused", () => {
  const { win } = load("instagram-feed-posts.html", "instagram");
  assert.throws(() => win.postguard.defineFeedAdapter({ id: "myspace", posts: "article" }), /lacks postId, author, text, control/);
});

function pick(control) {
  return control && { action: control.action, turnsOn: control.turnsOn };
}

/** A jsdom window over `html` (a page the way the site draws it) with the site's feed adapter loaded. */
function page(html, site) {
  const dom = new JSDOM(`<!DOCTYPE html><html><body>${html}</body></html>`, { url: `https://www.${site}.com/`, runScripts: "outside-only" });
  const { adapter } = feedModules(dom.window, site);
  return { doc: dom.window.document, adapter, identityOf: (selector) => adapter.identity(dom.window.document.querySelector(selector)) };
}

test("linkedin: who the user reacts as, from the post's identity switcher, its comment box, else the nav (en, zh)", () => {
  const emberPost = (id, inner) => `<div data-id="urn:li:activity:${id}"><div class="feed-shared-update-v2" role="article" data-urn="urn:li:activity:${id}">
    <div class="feed-shared-social-action-bar">${inner}<button class="react-button__trigger" aria-pressed="false" aria-label="React Like">Like</button></div></div></div>`;
  const toggle = (alt) => `<button class="content-admin-identity-toggle-button" aria-label="Open menu for switching identity when interacting with this post"><img alt="${alt}"></button>`;
  const { identityOf } = page(`<header class="global-nav"><div class="global-nav__me"><img class="global-nav__me-photo" alt="Li Wei"></div></header>
    ${emberPost(1, toggle("Photo of Lumen Hardware Co., Ltd."))}
    ${emberPost(2, toggle("Lumen Hardware Co., Ltd.的照片"))}
    ${emberPost(3, '<div contenteditable="true" aria-placeholder="Comment as Lumen Hardware Co., Ltd.…"></div>')}
    ${emberPost(4, '<div contenteditable="true" data-placeholder="以 Lumen Hardware Co., Ltd. 身份发表评论"></div>')}
    ${emberPost(5, "")}
    <div data-testid="mainFeed"><div role="listitem" componentkey="urn:li:activity:6-FeedType_MAIN_FEED"><button aria-label="Open control menu for post by Anna">…</button></div></div>`, "linkedin");
  assert.equal(identityOf('[data-urn$=":1"]'), "Lumen Hardware Co., Ltd.");
  assert.equal(identityOf('[data-urn$=":2"]'), "Lumen Hardware Co., Ltd.");
  assert.equal(identityOf('[data-urn$=":3"]'), "Lumen Hardware Co., Ltd.");
  assert.equal(identityOf('[data-urn$=":4"]'), "Lumen Hardware Co., Ltd.");
  assert.equal(identityOf('[data-urn$=":5"]'), "Li Wei", "no switcher on the post: the member in the nav");
  assert.equal(identityOf('[role="listitem"]'), "Li Wei", "SDUI: the nav");
  assert.equal(page(emberPost(7, ""), "linkedin").identityOf('[role="article"]'), "", "the page does not say: unknown, never a guess");
});

test("facebook: who the user reacts as, from the post's 'Comment as', else the timeline link or 'What's on your mind' (en, zh)", () => {
  const post = (id, inner = "") => `<div aria-posinset="${id}" aria-describedby="s${id}"><div role="article">${inner}
    <div role="button" aria-label="Like"><span data-ad-rendering-role="like_button">Like</span></div></div></div>`;
  const withBox = page(`<div role="feed">${post(1, '<div role="textbox" contenteditable="true" aria-label="Comment as Lumen Hardware"></div>')}
    ${post(2, '<div role="textbox" contenteditable="true" aria-placeholder="以 Lumen Hardware 的身份评论"></div>')}${post(3)}</div>
    <a href="/li.wei" aria-label="Li Wei's timeline"></a>`, "facebook");
  assert.equal(withBox.identityOf('[aria-posinset="1"]'), "Lumen Hardware");
  assert.equal(withBox.identityOf('[aria-posinset="2"]'), "Lumen Hardware");
  assert.equal(withBox.identityOf('[aria-posinset="3"]'), "Li Wei", "no comment box: the timeline link");
  const zh = page(`<div role="feed">${post(1)}</div><a href="/li.wei" aria-label="李伟的时间线"></a>`, "facebook");
  assert.equal(zh.identityOf('[aria-posinset="1"]'), "李伟");
  const mind = page(`<div role="region" aria-label="Create a post"><div role="button"><span>What's on your mind, Lumen Hardware?</span></div></div>
    <div role="feed">${post(1)}</div>`, "facebook");
  assert.equal(mind.identityOf('[aria-posinset="1"]'), "Lumen Hardware");
  const mindZh = page(`<div role="region"><div role="button"><span>李伟，你在想什么？</span></div></div><div role="feed">${post(1)}</div>`, "facebook");
  assert.equal(mindZh.identityOf('[aria-posinset="1"]'), "李伟");
});

test("instagram: who the user reacts as is the account of the nav's Profile link, never a post's author (en, zh)", () => {
  const post = '<article><header><a href="/northwind.hardware/"><span>Profile</span></a></header><a href="/p/C0/">1 h</a></article>';
  const en = page(`<nav><a href="/lumenhardware.official/" role="link"><img alt="lumenhardware.official's profile picture"><span>Profile</span></a></nav>${post}`, "instagram");
  assert.equal(en.identityOf("article"), "lumenhardware.official");
  const zh = page(`${post}<nav><a href="/li.wei.exports/"><span>主页</span></a></nav>`, "instagram");
  assert.equal(zh.identityOf("article"), "li.wei.exports", "a post's header link is the author, not the account");
  assert.equal(page(post, "instagram").identityOf("article"), "");
});

test("an identity reader that breaks on a changed page costs the identity, never the click", () => {
  const { doc, adapter } = load("linkedin-feed-posts.html", "linkedin");
  const broken = doc.defaultView.postguard.defineFeedAdapter({ ...adapter, id: "broken", identity: () => { throw new Error("changed"); } });
  assert.equal(broken.identity(doc.querySelector("[data-urn]")), "");
});
