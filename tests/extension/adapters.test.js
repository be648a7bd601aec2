/**
 * Site adapters against saved replica HTML (fixtures/): each finds the visible editor, the one
 * submit control in its scope, the composer root, and ignores decoys and look-alike buttons.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { loadSite } from "./helpers/content-dom.js";
import { EXTENSION_DIR } from "./helpers/chrome-fake.js";

function textNodeIn(el) {
  const walker = el.ownerDocument.createTreeWalker(el, 4);
  return walker.nextNode();
}

function linkedinWithShadowSharebox(win) {
  const outlet = win.document.getElementById("interop-outlet");
  const shadow = outlet.attachShadow({ mode: "open" });
  shadow.append(win.document.getElementById("sharebox-template").content.cloneNode(true));
  return shadow;
}

test("linkedin: share box inside the interop shadow root is found from a click on the Post label", () => {
  const win = loadSite("linkedin-feed.html", "www.linkedin.com");
  const adapter = win.postguard.adapters.linkedin;
  const shadow = linkedinWithShadowSharebox(win);
  const post = shadow.querySelector("button.share-actions__primary-action");
  post.disabled = false;
  const hit = adapter.findSubmit(post.querySelector("span"));
  assert.equal(hit.control, post);
  assert.equal(hit.kind, "post");
  const composer = adapter.composerForSubmit(hit.control, hit.kind);
  assert.equal(composer.editor.getAttribute("aria-label"), "Text editor for creating content");
  assert.equal(composer.root.getAttribute("data-test-modal-id"), "sharebox");
});

test("linkedin: a disabled Post is not a submit (the site ignores it too)", () => {
  const win = loadSite("linkedin-feed.html", "www.linkedin.com");
  const shadow = linkedinWithShadowSharebox(win);
  const post = shadow.querySelector("button.share-actions__primary-action");
  assert.equal(win.postguard.adapters.linkedin.findSubmit(post), null);
});

test("linkedin: the hidden decoy .ql-editor is never picked as the composer's editor", () => {
  const win = loadSite("linkedin-feed.html", "www.linkedin.com");
  const adapter = win.postguard.adapters.linkedin;
  const doc = win.document;
  // Share box in the light DOM (seen in some sessions): the decoy sits in the same tree.
  doc.body.append(doc.getElementById("sharebox-template").content.cloneNode(true));
  const post = doc.querySelector("button.share-actions__primary-action");
  post.disabled = false;
  const composer = adapter.composerForSubmit(post, "post");
  assert.equal(composer.editor.dataset.decoy, undefined);
  assert.equal(composer.editor.getAttribute("data-test-ql-editor-contenteditable"), "true");
});

test("linkedin: editor scope holds exactly one submit; comment boxes of both generations resolve", () => {
  const win = loadSite("linkedin-feed.html", "www.linkedin.com");
  const adapter = win.postguard.adapters.linkedin;
  const [oldEditor, newEditor] = win.document.querySelectorAll('[aria-label="Text editor for creating comment"]');
  const oldComposer = adapter.composerForEditor(oldEditor);
  assert.ok(oldComposer.submit.classList.contains("comments-comment-box__submit-button--cr"));
  assert.equal(oldComposer.kind, "comment");
  assert.equal(oldComposer.enterSubmits, false);
  const newComposer = adapter.composerForEditor(newEditor);
  assert.equal(newComposer.submit.getAttribute("data-view-name"), "comment-post");
  assert.equal(adapter.findEditor(textNodeIn(newEditor)), newEditor);
  // The social bar's "Comment" button only opens the box: it is not a submit.
  assert.equal(adapter.findSubmit(win.document.querySelector('button[aria-label="Comment"]')), null);
});

test("linkedin: the Post label table covers other languages", () => {
  const win = loadSite("linkedin-feed.html", "www.linkedin.com");
  const shadow = linkedinWithShadowSharebox(win);
  const post = shadow.querySelector("button.share-actions__primary-action");
  post.disabled = false;
  for (const label of ["Posten", "Veröffentlichen", "Julkaise", "Опубликовать"]) {
    post.querySelector("span").textContent = label;
    assert.ok(win.postguard.adapters.linkedin.findSubmit(post), label);
  }
  post.querySelector("span").textContent = "Next"; // scheduling: the primary button is not a post yet
  assert.equal(win.postguard.adapters.linkedin.findSubmit(post), null);
});

test("facebook: Post div-button in the Create post dialog, aria-disabled respected, 'Post, 1' accepted", () => {
  const win = loadSite("facebook-feed.html", "www.facebook.com");
  const adapter = win.postguard.adapters.facebook;
  const post = win.document.querySelector('[role="dialog"] [aria-label="Post"]');
  const composer = adapter.composerForSubmit(adapter.findSubmit(post.firstChild).control, "post");
  assert.equal(composer.editor.getAttribute("data-lexical-editor"), "true");
  assert.equal(composer.root.getAttribute("role"), "dialog");
  post.setAttribute("aria-label", "Post, 1");
  assert.ok(adapter.findSubmit(post));
  post.setAttribute("aria-disabled", "true");
  assert.equal(adapter.findSubmit(post), null);
  assert.equal(adapter.findSubmit(win.document.querySelector('[aria-label="Photo/video"]')), null);
});

test("facebook: a comment box sends on Enter and has no submit control", () => {
  const win = loadSite("facebook-feed.html", "www.facebook.com");
  const adapter = win.postguard.adapters.facebook;
  const comment = win.document.querySelector('[aria-label="Write a comment…"]');
  const composer = adapter.composerForEditor(comment);
  assert.equal(composer.enterSubmits, true);
  assert.equal(composer.kind, "comment");
  assert.equal(composer.submit, null);
  const dialogEditor = win.document.querySelector('[role="dialog"] [data-lexical-editor]');
  assert.equal(adapter.composerForEditor(dialogEditor).enterSubmits, false);
});

test("facebook: after an upload re-render, the last visible textbox is the editor", () => {
  const win = loadSite("facebook-feed.html", "www.facebook.com");
  const adapter = win.postguard.adapters.facebook;
  const dialog = win.document.querySelector('[role="dialog"]');
  const second = win.document.createElement("div");
  second.setAttribute("contenteditable", "true");
  second.setAttribute("role", "textbox");
  second.setAttribute("data-lexical-editor", "true");
  dialog.querySelector(".x78zum5").append(second);
  const composer = adapter.composerForSubmit(dialog.querySelector('[aria-label="Post"]'), "post");
  assert.equal(composer.editor, second);
});

test("instagram: Share (by its text) and Next are told apart; the caption belongs to the dialog", () => {
  const win = loadSite("instagram-create.html", "www.instagram.com");
  const adapter = win.postguard.adapters.instagram;
  const [back, share] = win.document.querySelectorAll('[role="dialog"] [role="button"]');
  assert.equal(adapter.findSubmit(back), null);
  const hit = adapter.findSubmit(share);
  assert.equal(hit.kind, "post");
  const composer = adapter.composerForSubmit(share, "post");
  assert.equal(composer.editor.getAttribute("aria-label"), "Write a caption...");
  assert.equal(composer.root.getAttribute("aria-label"), "Create new post");
  share.textContent = "Next";
  assert.equal(adapter.findSubmit(share).kind, "next");
  share.textContent = "分享";
  assert.equal(adapter.findSubmit(share).kind, "post");
});

test("every adapter has a fixture, a test here and a manifest entry (and nothing else is injected)", () => {
  const manifest = JSON.parse(readFileSync(`${EXTENSION_DIR}manifest.json`, "utf8"));
  const sites = JSON.parse(readFileSync(`${EXTENSION_DIR}shared/sites.json`, "utf8"));
  const adapters = readdirSync(`${EXTENSION_DIR}content/sites`).map((f) => f.replace(/\.js$/, ""));
  const fixtures = readdirSync(new URL("./fixtures/", import.meta.url)).join(" ");
  const tests = readFileSync(new URL(import.meta.url), "utf8");
  for (const id of adapters) {
    // The manifest loads the site's bundle, which is built from the adapter its sites.json entry names.
    const site = sites.find((s) => s.id === id);
    assert.ok(site, `${id} has no entry in shared/sites.json`);
    assert.equal(site.composer, `content/sites/${id}.js`);
    const entry = manifest.content_scripts.find((cs) => cs.js.includes(`dist/content-${id}.js`));
    assert.ok(entry, `${id} has no manifest entry`);
    assert.deepEqual(entry.matches, [`https://www.${id}.com/*`]);
    assert.equal(entry.run_at, "document_start");
    assert.deepEqual(entry.js, [`dist/content-${id}.js`]);
    assert.ok(fixtures.includes(id), `${id} has no fixture`);
    assert.ok(tests.includes(`test("${id}:`), `${id} has no test`);
  }
});

test("no adapter relies on generated class names", () => {
  for (const id of ["linkedin", "facebook", "instagram"]) {
    const source = readFileSync(`${EXTENSION_DIR}content/sites/${id}.js`, "utf8");
    // Facebook/Instagram atomic classes look like x1n2onr6 / xzsf02u.
    assert.doesNotMatch(source, /\.x[0-9a-z]{5,8}\b/, id);
  }
});
