/**
 * The guard's intercept logic in a jsdom page with the real content scripts: a pre-checked clean
 * post goes through untouched, a risky one is held with the panel, an unchecked clean one is held
 * and then replayed exactly once, and an orphaned script lets posts through and detaches.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { facebookPage, prechecked, until, wait } from "./helpers/facebook-composer.js";

const panelOf = (page) => page.doc.querySelector('[data-postguard="panel"]')?.shadowRoot;

test("pre-checked clean post: the click is not held and the site's handler runs at once", async () => {
  const page = facebookPage();
  await wait(20);
  page.type("Happy Lunar New Year from our team!");
  await prechecked(page, "Happy Lunar New Year from our team!");
  assert.equal(page.click(), true, "not prevented");
  assert.equal(page.siteClicks.length, 1);
  await until(() => page.sent.some((m) => m.type === "decision" && m.payload.action === "posted" && m.payload.scanId === "clean"),
    "the clean post's decision sent");
});

test("risky post: held, the site never sees the click, the panel opens inside the dialog", async () => {
  const page = facebookPage();
  await wait(20);
  page.type("Special price USD 0.42/pc");
  assert.equal(page.click(), false, "held");
  await wait(30);
  assert.equal(page.siteClicks.length, 0);
  const host = page.doc.querySelector('[role="dialog"] [data-postguard="panel"]');
  assert.ok(host, "panel shown");
  assert.ok(host.shadowRoot.querySelector('[data-postguard-finding][data-category="pricing"]'));
  // The highlights share the panel's stacking context and come before it: never painted over the panel.
  const highlights = page.doc.querySelector('[role="dialog"] [data-postguard="highlights"]');
  assert.ok(highlights, "highlights in the same dialog as the panel");
  assert.ok(highlights.compareDocumentPosition(host) & page.win.Node.DOCUMENT_POSITION_FOLLOWING);
});

test("clean post not yet checked: held for the check, then replayed exactly once", async () => {
  const page = facebookPage();
  await wait(20);
  page.type("See you at booth 11.2 C41");
  assert.equal(page.click(), false);
  await wait(50);
  assert.equal(page.siteClicks.length, 1);
  assert.equal(page.doc.querySelector('[data-postguard="panel"]'), null);
});

test("enforcement monitor never holds, even a risky post", async () => {
  const page = facebookPage({ policy: { enforcement: "monitor" } });
  await wait(20);
  page.type("Special price USD 0.42/pc");
  assert.equal(page.click(), true);
  assert.equal(page.siteClicks.length, 1);
});

test("companion down, failMode open: the post goes through with a notice", async () => {
  const page = facebookPage({ unreachable: true });
  await wait(20);
  page.type("Special price USD 0.42/pc");
  page.click();
  await wait(50);
  assert.equal(page.siteClicks.length, 1);
  const notice = page.doc.querySelector('[data-postguard="notice"]');
  assert.match(notice.shadowRoot.textContent, /checker isn't running/);
  assert.match(notice.shadowRoot.textContent, /Contact your IT team\./, "no help link set: still says whom to ask");
  assert.ok(page.sent.some((m) => m.type === "decision" && m.payload.scanId === null && m.payload.action === "posted"));
});

test("companion down, failMode closed: held, and the salesperson is told to contact IT, not to run a command", async () => {
  const page = facebookPage({ unreachable: true, policy: { failMode: "closed", supportUrl: "https://help.example.com/postguard" } });
  await wait(20);
  page.type("Special price USD 0.42/pc");
  page.click();
  await wait(50);
  assert.equal(page.siteClicks.length, 0);
  const text = page.doc.querySelector('[data-postguard="notice"]').shadowRoot.textContent;
  assert.match(text, /checker isn't running/);
  assert.match(text, /Contact IT:/);
  assert.doesNotMatch(text, /postguard serve|terminal/);
  const link = page.doc.querySelector('[data-postguard="notice"]').shadowRoot.querySelector('a[href="https://help.example.com/postguard"]');
  assert.equal(link.textContent, "https://help.example.com/postguard");
});

test("a held post's panel quotes the words the user typed, not the audit log's mask", async () => {
  const page = facebookPage();
  await wait(20);
  page.type("Special price USD 0.42/pc");
  page.click();
  await until(() => page.doc.querySelector('[data-postguard="panel"]'), "the panel opens");
  const card = page.doc.querySelector('[data-postguard="panel"]').shadowRoot.querySelector('[data-category="pricing"]');
  assert.equal(card.querySelector(".pg-own").textContent, "USD 0.42");
  assert.doesNotMatch(card.textContent, /\*/);
});

test("in Chinese, the checker-down notice reads as one Chinese text: no space after the full stop", async () => {
  const page = facebookPage({ unreachable: true, locale: "zh_CN", policy: { failMode: "closed" } });
  await wait(20);
  page.type("Hello");
  page.click();
  await until(() => page.doc.querySelector('[data-postguard="notice"]'), "the notice shows");
  const text = page.doc.querySelector('[data-postguard="notice"]').shadowRoot.querySelector(".pg-notice-text").textContent;
  assert.match(text, /检查程序未运行/);
  assert.match(text, /。请联系您的 IT 部门。$/);
});

test("orphaned script (extension reloaded): posts go through and listeners detach", async () => {
  const page = facebookPage();
  await wait(20);
  page.chrome.runtime.id = undefined;
  page.type("Special price USD 0.42/pc");
  page.click();
  await wait(20);
  assert.equal(page.siteClicks.length, 1);
  assert.equal(page.win.postguard.runtime.detached, true);
});

test("Enter in a Facebook comment box is held when risky; Shift+Enter is a new line", async () => {
  const page = facebookPage();
  await wait(20);
  const comment = page.doc.querySelector('[aria-label="Write a comment…"]');
  comment.firstChild.replaceChildren(page.doc.createTextNode("USD 3.85/set for you"));
  const enter = (shiftKey) => comment.dispatchEvent(new page.win.KeyboardEvent("keydown", { key: "Enter", shiftKey, bubbles: true, cancelable: true, composed: true }));
  let siteKeys = 0;
  comment.parentElement.addEventListener("keydown", () => { siteKeys += 1; });
  assert.equal(enter(true), true);
  assert.equal(enter(false), false);
  await wait(30);
  assert.equal(siteKeys, 1, "only the Shift+Enter reached the site");
  assert.ok(page.doc.querySelector('[data-postguard="panel"]'));
});

test("typing that fires only beforeinput (Lexical) is pre-checked too: the later click is not held", async () => {
  const page = facebookPage();
  await wait(20);
  page.typeByKeys("Happy Lunar New Year from our team!");
  await prechecked(page, "Happy Lunar New Year from our team!");
  assert.ok(page.sent.some((m) => m.type === "check"), "pre-checked while the user paused");
  assert.equal(page.click(), true, "not prevented");
  assert.equal(page.siteClicks.length, 1);
});

test("a worker stopped mid-check: the check is sent again to a fresh worker, and the risky post held", async () => {
  const page = facebookPage();
  await wait(20);
  const original = page.chrome.runtime.sendMessage;
  let dropped = 0;
  page.chrome.runtime.sendMessage = async (message) => {
    if (message.type === "check" && dropped === 0) {
      dropped += 1;
      throw new Error("The message port closed before a response was received.");
    }
    return original(message);
  };
  page.type("Special price USD 0.42/pc");
  assert.equal(page.click(), false);
  await until(() => panelOf(page), "held with the panel, not let through as 'companion down'");
  assert.equal(dropped, 1);
  assert.ok(page.sent.some((m) => m.type === "check"), "the fresh worker got the check");
  assert.equal(page.siteClicks.length, 0);
  assert.equal(page.doc.querySelector('[data-postguard="notice"]'), null);
});

test("a worker that never answers twice in a row: failMode applies (open: the post goes, with a notice)", async () => {
  const page = facebookPage();
  await wait(20);
  const original = page.chrome.runtime.sendMessage;
  page.chrome.runtime.sendMessage = async (message) => (message.type === "check" ? undefined : original(message));
  page.type("Special price USD 0.42/pc");
  page.click();
  await until(() => page.siteClicks.length === 1, "posted under failMode open");
  await until(() => page.doc.querySelector('[data-postguard="notice"]'), "with a notice");
});

test("a policy changed by IT after the pre-check: the panel shows at once, then drops 'Post anyway'", async () => {
  const page = facebookPage();
  await wait(20); // the start-up policy read
  page.type("Special price USD 0.42/pc");
  await prechecked(page, "Special price USD 0.42/pc");
  let releasePolicy;
  page.live.policyGate = new Promise((resolve) => { releasePolicy = resolve; });
  page.live.policy.enforcement = "block";
  assert.equal(page.click(), false);
  await until(() => panelOf(page), "the panel shows");
  assert.ok(page.live.heldPolicyReads > 0, "the panel did not wait for the slow worker's policy answer");
  releasePolicy();
  await until(() => panelOf(page)?.querySelector('[data-postguard-action="override"]') === null,
    "redrawn under the new policy: no 'Post anyway'");
  assert.ok(panelOf(page), "still held");
  assert.equal(page.siteClicks.length, 0);
});

test("'Post anyway' re-reads the policy first: turned off meanwhile, nothing is posted", async () => {
  const page = facebookPage({ policy: { requireJustification: false } });
  await wait(20);
  page.type("Special price USD 0.42/pc");
  page.click();
  await wait(60);
  page.live.policy.allowOverride = false;
  panelOf(page).querySelector('[data-postguard-action="override"]').click();
  await wait(60);
  assert.equal(page.siteClicks.length, 0);
  assert.equal(panelOf(page).querySelector('[data-postguard-action="override"]'), null);
  assert.ok(!page.sent.some((m) => m.type === "decision" && m.payload.action === "overridden"));
});

test("changes made while a slow pre-check runs are checked after it with the composer as it is now", async () => {
  const page = facebookPage({ checkDelayMs: 150 });
  await wait(20);
  const { precheck } = page.win.postguard;
  const dialog = page.doc.querySelector('[role="dialog"]');
  const before = page.doc.createElement("div"); // the composer as it was seen first (Instagram: the select step)
  before.textContent = "Old words";
  precheck.schedule({ editor: before, root: dialog, submit: null }, "facebook", 0);
  await wait(20);
  page.editor.firstChild.replaceChildren(page.doc.createTextNode("First words"));
  precheck.schedule({ editor: page.editor, root: dialog, submit: null }, "facebook", 0);
  await until(() => page.answered.includes("First words"), "the later text pre-checked");
  const texts = page.sent.filter((m) => m.type === "check").map((m) => m.payload.text);
  assert.deepEqual(texts, ["Old words", "First words"]);
});

test("IT switched to monitoring after the pre-check: the risky post is let through, not left held", async () => {
  const page = facebookPage();
  await wait(20);
  page.type("Special price USD 0.42/pc");
  await prechecked(page, "Special price USD 0.42/pc");
  page.live.policy.enforcement = "monitor"; // the worker knows; no storage event reached the page yet
  assert.equal(page.click(), false, "held while the policy is read again");
  await until(() => page.siteClicks.length > 0, "the click replayed");
  await wait(40);
  assert.equal(page.siteClicks.length, 1, "replayed once");
  assert.equal(panelOf(page), undefined);
  assert.ok(page.sent.some((m) => m.type === "decision" && m.payload.action === "posted" && m.payload.scanId === "risky"));
});

const checksOf = (page, text) => page.answered.filter((t) => t === text).length;
const noticeText = (page) => page.doc.querySelector('[data-postguard="notice"]')?.shadowRoot.textContent || "";

test("a long post the companion could not read whole in time is asked again in the background; the click takes the whole answer", async () => {
  const text = "A long clean post about our week at the fair, read in two goes.";
  const page = facebookPage({ incomplete: (t, n) => n < 2 });
  await wait(20);
  page.type(text);
  await until(() => checksOf(page, text) === 3, "asked again until the answer is whole");
  await wait(10);
  assert.equal(page.click(), true, "not held: the whole answer is here");
  assert.equal(page.siteClicks.length, 1);
  await wait(60);
  assert.equal(checksOf(page, text), 3, "no more rounds once the answer is whole");
  assert.ok(!noticeText(page).includes("too long"), "no 'not checked completely' notice for a post read whole");
});

test("a post still not read whole after three more rounds: the rounds stop and the user is told", async () => {
  const text = "A post so long that the companion never reads it whole in time.";
  const page = facebookPage({ incomplete: () => true });
  await wait(20);
  page.type(text);
  await until(() => checksOf(page, text) === 4, "the first check and three more rounds");
  await until(() => noticeText(page).includes("too long to check completely"), "the user is told");
  await wait(100);
  assert.equal(checksOf(page, text), 4, "no fourth round");
});

test("a click while the companion reads on waits for that round, and posts once it says the text is clean", async () => {
  const text = "Another long clean post, clicked while the second round runs.";
  const page = facebookPage({ incomplete: (t, n) => n < 1, checkDelayMs: 150 });
  await wait(20);
  page.type(text);
  await until(() => checksOf(page, text) === 1, "the first, partial answer");
  await until(() => page.sent.filter((m) => m.type === "check" && m.payload.text === text).length === 2, "the second round asked");
  assert.equal(page.click(), false, "held: the partial answer is not taken");
  await until(() => page.siteClicks.length === 1, "posted once the round answers");
  assert.equal(page.sent.filter((m) => m.type === "check" && m.payload.text === text).length, 2, "the click joined the round");
});
