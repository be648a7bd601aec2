/*
 * Where the panel goes. Screenshots of the first version showed it covering Facebook's Post button and
 * Instagram's caption: a panel over the very control the user just pressed reads as "the site is
 * broken". So the panel is placed by scoring a few candidate positions by what they would cover:
 *
 *   the submit control (worst), the highlighted text, a photo with findings, the rest of the editor
 *   text, the composer dialog (mildly: beside the dialog is best when the window has room)
 *
 * and the cheapest wins, always fully inside the window. Pure geometry on DOMRect-like objects, so the
 * unit tests can check it without a layout engine.
 */
const MARGIN = 8;
const GAP = 12;
const MIN_SIDE_WIDTH = 320;
const MIN_HEIGHT = 260; // a shortened panel still shows a finding and the actions (its list scrolls)
const WEIGHTS = Object.freeze({ submit: 100, highlight: 20, photo: 10, text: 5, composer: 0.05 });

function overlapArea(a, b) {
  const w = Math.min(a.left + a.width, b.left + b.width) - Math.max(a.left, b.left);
  const h = Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top);
  return w > 0 && h > 0 ? w * h : 0;
}

function clamp(value, low, high) {
  return Math.max(low, Math.min(value, Math.max(low, high)));
}

/**
 * Candidate boxes, best-looking first: beside the dialog, below or above the editor, then the
 * corners, then shortened boxes that start just below the text (`maxHeight` set: the list scrolls).
 */
function candidates({ view, width, height, anchor, composer, sideHeight, textBottom }) {
  const list = [];
  const fitTop = (top, h = height) => clamp(top, MARGIN, view.height - h - MARGIN);
  const fitLeft = (left) => clamp(left, MARGIN, view.width - width - MARGIN);
  if (composer) {
    const rightRoom = view.width - MARGIN - (composer.left + composer.width + GAP);
    const leftRoom = composer.left - GAP - MARGIN;
    for (const [room, leftOf] of [[rightRoom, () => composer.left + composer.width + GAP], [leftRoom, (w) => composer.left - GAP - w]]) {
      const w = Math.min(width, room);
      if (w >= MIN_SIDE_WIDTH) list.push({ left: leftOf(w), top: fitTop(composer.top, sideHeight(w)), width: w, height: sideHeight(w) });
    }
  }
  if (anchor) {
    list.push({ left: fitLeft(anchor.left), top: fitTop(anchor.top + anchor.height + MARGIN), width, height });
    list.push({ left: fitLeft(anchor.left), top: fitTop(anchor.top - MARGIN - height), width, height });
  }
  const box = composer || anchor || { left: 0, top: 0, width: view.width, height: view.height };
  const lefts = [box.left, box.left + box.width - width, view.width - width - MARGIN, MARGIN];
  for (const left of lefts) {
    for (const top of [box.top + box.height + MARGIN, view.height - height - MARGIN, MARGIN]) {
      list.push({ left: fitLeft(left), top: fitTop(top), width, height });
    }
  }
  const shortened = Math.min(height, view.height - MARGIN - (textBottom + MARGIN));
  if (textBottom !== null && shortened >= MIN_HEIGHT && shortened < height) {
    for (const left of lefts) list.push({ left: fitLeft(left), top: textBottom + MARGIN, width, height: shortened, maxHeight: shortened });
  }
  return list;
}

/** What a box would cover, weighted: lower is better. */
function cost(box, { avoid, composer }) {
  let total = composer ? overlapArea(box, composer) * WEIGHTS.composer : 0;
  for (const { rect, kind } of avoid) total += overlapArea(box, rect) * (WEIGHTS[kind] || 1);
  return total;
}

/**
 * Chooses {left, top, width, maxHeight|null} for a panel of `width` × `height(width)` in a window `view` {width, height}.
 * `anchor` is the editor's rect, `composer` the dialog's; `avoid` is [{rect, kind: submit|highlight|photo|text}].
 */
function choose({ view, width, height, anchor = null, composer = null, avoid = [] }) {
  const w = Math.min(width, view.width - 2 * MARGIN);
  const texts = avoid.filter((a) => a.kind === "text" || a.kind === "highlight").map((a) => a.rect.top + a.rect.height);
  const textBottom = texts.length ? Math.max(...texts) : null;
  const options = candidates({ view, width: w, height: height(w), anchor, composer, sideHeight: height, textBottom });
  let best = options[0];
  let bestCost = Infinity;
  options.forEach((box, order) => {
    const value = cost(box, { avoid, composer }) + order * 0.001;
    if (value < bestCost) { best = box; bestCost = value; }
  });
  return { left: Math.round(best.left), top: Math.round(best.top), width: Math.round(best.width), maxHeight: best.maxHeight ?? null };
}

/**
 * Where a small box of `size` {width, height} goes beside a `control` rect (the count badge beside
 * the site's Post button): to its left on the same line, else above or below it (right edges
 * aligned), else to its right; the first that covers nothing in `avoid` ([{rect, kind}], the control
 * itself as kind "submit"), else the cheapest; always inside the window. Returns {left, top}.
 */
function besideControl({ view, size, control, avoid = [] }) {
  const middle = control.top + (control.height - size.height) / 2;
  const right = control.left + control.width;
  const boxes = [
    { left: control.left - GAP / 2 - size.width, top: middle },
    { left: right - size.width, top: control.top - GAP / 2 - size.height },
    { left: right - size.width, top: control.top + control.height + GAP / 2 },
    { left: right + GAP / 2, top: middle },
  ].map((box) => ({
    left: clamp(box.left, MARGIN, view.width - size.width - MARGIN),
    top: clamp(box.top, MARGIN, view.height - size.height - MARGIN),
    width: size.width,
    height: size.height,
  }));
  let best = boxes[0];
  let bestCost = Infinity;
  boxes.forEach((box, order) => {
    const value = cost(box, { avoid, composer: null }) + order * 0.001;
    if (value < bestCost) { best = box; bestCost = value; }
  });
  return { left: Math.round(best.left), top: Math.round(best.top) };
}

export const placement = { choose, besideControl, overlapArea };
