/**
 * Rendering of the Lexical-like state into the DOM, and of flat offsets back into DOM points.
 *
 * Like Lexical's reconciler it touches only what differs: an unchanged paragraph keeps its nodes, a
 * paragraph whose words changed keeps its structure and gets new character data, and only a paragraph
 * whose shape changed (line breaks added or removed, foreign nodes inside) is rebuilt.
 * Paragraph markup follows Facebook's: `<p class=… dir="auto"><span data-lexical-text="true">…</span></p>`,
 * a line break is `<br>`, and an empty or break-ended paragraph carries one extra trailing `<br>`.
 */

const PARAGRAPH_CLASS = "xdj266r x11i5rnm xat24cr x1mh8g0r x16tdsg8";

/** The node shapes a paragraph's text renders to: {kind: "text", text} or {kind: "br"}. */
function shapeOf(text) {
  const shape = [];
  const segments = text.split("\n");
  segments.forEach((segment, i) => {
    if (segment) shape.push({ kind: "text", text: segment });
    if (i < segments.length - 1) shape.push({ kind: "br" });
  });
  if (text === "" || text.endsWith("\n")) shape.push({ kind: "br" });
  return shape;
}

function matchesShape(p, shape) {
  const kids = p.childNodes;
  if (kids.length !== shape.length) return false;
  return shape.every((part, i) => {
    const kid = kids[i];
    if (part.kind === "br") return kid.nodeName === "BR";
    return (
      kid.nodeName === "SPAN" &&
      kid.getAttribute("data-lexical-text") === "true" &&
      kid.childNodes.length === 1 &&
      kid.firstChild.nodeType === Node.TEXT_NODE
    );
  });
}

function buildNodes(shape) {
  return shape.map((part) => {
    if (part.kind === "br") return document.createElement("br");
    const span = document.createElement("span");
    span.setAttribute("data-lexical-text", "true");
    span.textContent = part.text;
    return span;
  });
}

function isOurParagraph(node) {
  return node && node.nodeName === "P" && node.getAttribute("dir") === "auto";
}

/** Make `root`'s children exactly the rendering of `paragraphs`, reusing nodes where possible. */
export function renderParagraphs(root, paragraphs) {
  const existing = Array.from(root.childNodes);
  const wanted = paragraphs.map((text, i) => {
    const shape = shapeOf(text);
    let p = isOurParagraph(existing[i]) ? existing[i] : null;
    if (!p) {
      p = document.createElement("p");
      p.className = PARAGRAPH_CLASS;
      p.setAttribute("dir", "auto");
    }
    if (!matchesShape(p, shape)) {
      p.replaceChildren(...buildNodes(shape));
    } else {
      shape.forEach((part, k) => {
        const textNode = p.childNodes[k].firstChild;
        if (part.kind === "text" && textNode.data !== part.text) textNode.data = part.text;
      });
    }
    return p;
  });
  const same = existing.length === wanted.length && wanted.every((p, i) => existing[i] === p);
  if (!same) root.replaceChildren(...wanted);
}

/** The DOM point for a flat offset in a root rendered by `renderParagraphs`. */
export function flatToPoint(root, flat) {
  const paragraphs = Array.from(root.children);
  let remaining = Math.max(0, flat);
  for (let i = 0; i < paragraphs.length; i++) {
    const p = paragraphs[i];
    const length = paragraphLength(p);
    if (remaining <= length || i === paragraphs.length - 1) return pointInParagraph(p, Math.min(remaining, length));
    remaining -= length + 1;
  }
  return [root, 0];
}

function paragraphLength(p) {
  let length = 0;
  p.childNodes.forEach((kid, i) => {
    if (kid.nodeName === "BR") length += i === p.childNodes.length - 1 ? 0 : 1;
    else length += kid.textContent.length;
  });
  return length;
}

function pointInParagraph(p, offset) {
  let remaining = offset;
  const kids = p.childNodes;
  for (let i = 0; i < kids.length; i++) {
    const kid = kids[i];
    if (kid.nodeName === "BR") {
      if (remaining === 0 || i === kids.length - 1) return [p, i];
      remaining -= 1;
      continue;
    }
    const text = kid.firstChild;
    if (remaining <= text.data.length) return [text, remaining];
    remaining -= text.data.length;
  }
  return [p, kids.length];
}
