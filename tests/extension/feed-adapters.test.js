/**
 * The feed adapters on captured DOM (tests/extension/fixtures/feed/, shaped after shared/feed-dom.md):
 * who wrote a post (name and handle) and what it says, in several languages and scripts, in both
 * LinkedIn renderings; which clicks are guarded controls, and that taking a reaction back never is.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";
import { EXTENSION_DIR } from "./helpers/chrome-fake.js";

const FIXTURES = new URL("./fixtures/feed/", import.meta.url);

/** A jsdom window with the fixture and only the feed base and the site's adapter loaded. */
function load(fixture, site) {
  const dom = new JSDOM(readFileSync(new URL(fixture, FIXTURES), "utf8"), { url: `https://www.${site}.com/feed/`, runScripts: "outside-only" });
  for (const file of ["content/feed/feed-adapter-base.js", `content/feed/${site}-feed.js`]) {
    dom.window.eval(readFileSync(`${EXTENSION_DIR}${file}`, "utf8"));
  }
  const win = dom.window;
  return { win, doc: win.document, adapter: win.postguard.feedAdapters[site] };
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
