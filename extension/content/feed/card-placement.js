/*
 * Where the reaction card goes. On Facebook's short posts the first version (below the control, else
 * above it) covered the post's author line, the one thing that says whose post the card is about
 * (screenshots, 2026-12-05). So the card is placed next to the control that was clicked without
 * covering it or the author's name: below the control, else above, at the control's left edge or moved
 * sideways past the author's name; else beside the control (right, then left). Every candidate is
 * kept inside the window. When none is clear (a narrow or short window), the page is scrolled up just
 * enough for the card to fit below the control (the control stays on screen), as a menu opening near
 * the bottom of a window does; where the page cannot scroll that far, the place that covers the least
 * wins, the control counting far more than the author's name. A card taller than the window is
 * shortened and scrolls inside. Pure geometry on DOMRect-like objects ({left, top, width, height}), so
 * the unit tests can check it without a layout engine.
 */
const MARGIN = 8;
const GAP = 8;
const WEIGHTS = Object.freeze({ control: 100, author: 10 });

function overlap(a, b) {
  if (!a || !b) return 0;
  const w = Math.min(a.left + a.width, b.left + b.width) - Math.max(a.left, b.left);
  const h = Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top);
  return w > 0 && h > 0 ? w * h : 0;
}

const clamp = (value, low, high) => Math.max(low, Math.min(value, Math.max(low, high)));

/**
 * Candidate boxes in the order they are preferred, each already inside the window; `natural` is false
 * for one below or above the control that had to be pushed back into the window (it no longer sits
 * where its name says, and is taken only when nothing natural is clear).
 */
function candidates({ view, width, height, control, author }) {
  const fitLeft = (left) => clamp(left, MARGIN, view.width - width - MARGIN);
  const fitTop = (top) => clamp(top, MARGIN, view.height - height - MARGIN);
  const lefts = [control.left];
  if (author) lefts.push(author.left + author.width + GAP, author.left - GAP - width);
  lefts.push(control.left + control.width - width);
  const list = [];
  for (const top of [control.top + control.height + GAP, control.top - GAP - height]) {
    for (const left of lefts) list.push({ left: fitLeft(left), top: fitTop(top), natural: fitTop(top) === top });
  }
  for (const left of [control.left + control.width + GAP, control.left - GAP - width]) {
    for (const top of [control.top, control.top + control.height - height]) {
      list.push({ left: fitLeft(left), top: fitTop(top), natural: fitLeft(left) === left });
    }
  }
  return list.map((box) => ({ ...box, width, height }));
}

/**
 * The card's box: {left, top, width, height, maxHeight, covers, scroll}: `covers` is true when it
 * lies over the control or the author, `scroll` how far to scroll the page down for a clear place
 * below the control (0: none needed, or none would do). `view` {width, height} is the window,
 * `card` {width, height} the card's natural size, `control` the clicked control's rect (null: the top
 * left corner), `author` the author name's rect (or null).
 */
function placeCard({ view, card, control, author = null }) {
  const width = Math.min(card.width, view.width - 2 * MARGIN);
  const height = Math.min(card.height, view.height - 2 * MARGIN);
  const maxHeight = height < card.height ? height : null;
  if (!control) return { left: MARGIN, top: MARGIN, width, height, maxHeight, covers: false, scroll: 0 };
  const scored = candidates({ view, width, height, control, author })
    .map((box) => ({ ...box, cost: WEIGHTS.control * overlap(box, control) + WEIGHTS.author * overlap(box, author) }));
  const best = scored.find((box) => box.natural && box.cost === 0)
    || scored.reduce((low, box) => (box.cost < low.cost ? box : low));
  const { cost, natural: _natural, ...box } = best;
  const needed = control.top + control.height + GAP + height - (view.height - MARGIN);
  const scroll = cost > 0 && needed > 0 && needed <= control.top - MARGIN ? Math.ceil(needed) : 0;
  return { ...box, maxHeight, covers: cost > 0, scroll };
}

export const cardPlacement = Object.freeze({ placeCard, overlap, MARGIN });
