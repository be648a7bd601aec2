/**
 * Where the panel goes (ui/placement.js): beside the composer's dialog when the window has room, never
 * over the site's Post control when anything else is possible, off a photo that has findings and the
 * caption (shortened if it must), and always inside the window. Geometry only: the rects are the ones measured on the replicas' screenshots.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadSite } from "./helpers/content-dom.js";

const { placement } = loadSite("facebook-feed.html", "www.facebook.com").postguard;
const rect = (left, top, width, height) => ({ left, top, width, height });
const VIEW = { width: 1280, height: 900 };
const inside = (spot, height) => spot.left >= 8 && spot.top >= 8 && spot.left + spot.width <= VIEW.width - 8
  && spot.top + height <= VIEW.height - 8;
const covers = (spot, height, r) => placement.overlapArea({ ...spot, height }, r) > 0;

test("Facebook's dialog leaves room at its side: the panel goes there and covers nothing of it", () => {
  const dialog = rect(390, 254, 500, 392);
  const post = rect(406, 594, 468, 36);
  const spot = placement.choose({
    view: VIEW, width: 380, height: () => 345, anchor: rect(406, 390, 468, 60), composer: dialog,
    avoid: [{ kind: "submit", rect: post }],
  });
  assert.ok(spot.left >= 890, `beside the dialog, got ${JSON.stringify(spot)}`);
  assert.ok(spot.width >= 320 && inside(spot, 345));
  assert.equal(covers(spot, 345, dialog), false);
});

test("no room beside LinkedIn's wide dialog: the panel never covers the Post button or the highlighted text", () => {
  const dialog = rect(268, 48, 744, 476);
  const post = rect(916, 471, 72, 34);
  const highlight = rect(520, 162, 381, 24);
  const spot = placement.choose({
    view: VIEW, width: 380, height: () => 345, anchor: rect(292, 150, 696, 290), composer: dialog,
    avoid: [{ kind: "submit", rect: post }, { kind: "highlight", rect: highlight }],
  });
  assert.ok(inside(spot, 345), JSON.stringify(spot));
  assert.equal(covers(spot, 345, post), false);
  assert.equal(covers(spot, 345, highlight), false);
});

test("a photo with findings stays visible when the panel has to go over the dialog", () => {
  const dialog = rect(230, 189, 820, 523);
  const photo = rect(230, 232, 480, 480);
  const share = rect(990, 200, 45, 20);
  const caption = rect(727, 293, 205, 20);
  const spot = placement.choose({
    view: VIEW, width: 380, height: () => 600, anchor: rect(727, 290, 307, 170), composer: dialog,
    avoid: [{ kind: "submit", rect: share }, { kind: "photo", rect: photo }, { kind: "text", rect: caption }],
  });
  const height = spot.maxHeight ?? 600;
  assert.ok(inside(spot, height), JSON.stringify(spot));
  assert.equal(covers(spot, height, share), false);
  assert.equal(covers(spot, height, caption), false, `the caption stays readable: ${JSON.stringify(spot)}`);
  assert.ok(placement.overlapArea({ ...spot, height }, photo) < 0.1 * photo.width * photo.height,
    `covers little of the photo: ${JSON.stringify(spot)}`);
  assert.ok(height >= 260, "shortened, the panel still shows a finding and its actions");
});

test("a window narrower than the panel: the panel shrinks to fit", () => {
  const spot = placement.choose({ view: { width: 360, height: 640 }, width: 380, height: () => 400 });
  assert.equal(spot.width, 344);
  assert.ok(spot.left >= 8 && spot.top >= 8 && spot.top + 400 <= 632);
});

test("the count badge goes beside the Post button, never over it nor over the text", () => {
  const { postguard: pg } = loadSite("facebook-feed.html", "www.facebook.com");
  const view = { width: 1280, height: 800 };
  const size = { width: 110, height: 28 };
  const control = { left: 700, top: 600, width: 80, height: 36 };
  const spot = pg.placement.besideControl({ view, size, control, avoid: [{ kind: "submit", rect: control }] });
  const box = { ...spot, ...size };
  assert.equal(pg.placement.overlapArea(box, control), 0);
  assert.ok(box.left + box.width <= control.left, "to its left, on the same line");
  assert.ok(Math.abs(box.top + box.height / 2 - (control.top + control.height / 2)) <= 1);
  // A Post button at the window's left edge with text on its line: above it instead.
  const edge = { left: 8, top: 600, width: 80, height: 36 };
  const text = { left: 96, top: 596, width: 600, height: 44 };
  const moved = pg.placement.besideControl({ view, size, control: edge, avoid: [{ kind: "submit", rect: edge }, { kind: "text", rect: text }] });
  assert.equal(pg.placement.overlapArea({ ...moved, ...size }, edge), 0);
  assert.equal(pg.placement.overlapArea({ ...moved, ...size }, text), 0);
});
