/**
 * Where the reaction card goes (content/feed/card-placement.js): next to the clicked control, never over
 * it or the post's author name, inside the window; the page scrolls when no place is clear. The real
 * card on the replicas is checked end to end (tests/e2e, test_reaction_guard.py).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { cardPlacement } from "../../extension/content/feed/card-placement.js";

const { placeCard, overlap } = cardPlacement;
const rect = (left, top, width, height) => ({ left, top, width, height });
const CARD = { width: 340, height: 220 };

function inside(box, view) {
  return box.left >= 0 && box.top >= 0 && box.left + box.width <= view.width && box.top + box.height <= view.height;
}

test("room below: under the control, at its left edge", () => {
  const view = { width: 1280, height: 800 };
  const control = rect(100, 300, 80, 32);
  const box = placeCard({ view, card: CARD, control, author: rect(150, 100, 160, 20) });
  assert.deepEqual([box.left, box.top, box.covers, box.scroll], [100, 340, false, 0]);
});

test("a short post near the bottom (Facebook): above the control, moved past the author's name", () => {
  const view = { width: 1280, height: 800 };
  const control = rect(100, 700, 80, 32); // the Like button; the author line 150 px above it
  const author = rect(150, 560, 180, 20);
  const box = placeCard({ view, card: CARD, control, author });
  assert.equal(overlap(box, author), 0, "the author's name stays visible");
  assert.equal(overlap(box, control), 0, "the control stays visible");
  assert.ok(inside(box, view) && box.top + box.height <= control.top, JSON.stringify(box));
  assert.equal(box.covers, false);
});

test("a narrow window with no clear place: the page scrolls so the card fits below the control", () => {
  const view = { width: 380, height: 640 };
  const control = rect(12, 560, 80, 32);
  const author = rect(60, 420, 200, 20);
  const box = placeCard({ view, card: CARD, control, author });
  assert.ok(inside(box, view));
  assert.equal(overlap(box, control), 0, "never over the control");
  assert.equal(box.covers, true);
  assert.equal(box.scroll, 560 + 32 + 8 + 220 - (640 - 8));
  const after = placeCard({ view, card: CARD, control: rect(12, 560 - box.scroll, 80, 32), author: rect(60, 420 - box.scroll, 200, 20) });
  assert.equal(after.covers, false, "once scrolled, below the control and clear");
  assert.equal(after.top, 560 - box.scroll + 32 + 8);
});

test("a window shorter than the card: shortened to the window, never over the control when it can help it", () => {
  const view = { width: 1024, height: 200 };
  const control = rect(500, 90, 80, 32);
  const box = placeCard({ view, card: CARD, control, author: null });
  assert.equal(box.maxHeight, 200 - 16);
  assert.ok(inside(box, view));
  assert.equal(overlap(box, control), 0, "beside the control");
});

test("no control on screen: the top left corner", () => {
  const box = placeCard({ view: { width: 800, height: 600 }, card: CARD, control: null });
  assert.deepEqual([box.left, box.top], [8, 8]);
});
