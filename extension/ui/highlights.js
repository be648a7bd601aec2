/*
 * Highlights over the editor's risky text spans, drawn as a separate overlay (as Grammarly does) and
 * positioned from Range.getClientRects(). The editor's DOM is never touched: Quill, Lexical and
 * ProseMirror own theirs and would revert or choke on foreign nodes.
 */
(function defineHighlights(root) {
  "use strict";
  const pg = (root.postguard = root.postguard || {});
  let current = null; // {host, layer, ranges, onMove}

  /** Draws boxes for [{range, severity}] and keeps them in place while the page scrolls. */
  function show(spans) {
    clear();
    const doc = root.document;
    const { host, shadow } = pg.ui.createHost("highlights", doc.documentElement);
    const layer = pg.ui.el(doc, "div", { className: "pg-hl-layer", "aria-hidden": "true" });
    shadow.append(layer);
    let frame = 0;
    const onMove = () => {
      if (frame) return;
      frame = root.requestAnimationFrame(() => { frame = 0; draw(layer, spans); });
    };
    const signal = pg.runtime.signal();
    root.addEventListener("scroll", onMove, { capture: true, passive: true, signal });
    root.addEventListener("resize", onMove, { passive: true, signal });
    current = { host, layer, spans, onMove };
    draw(layer, spans);
  }

  function draw(layer, spans) {
    const doc = layer.ownerDocument;
    layer.replaceChildren();
    for (const { range, severity } of spans) {
      // Layout-less DOMs (jsdom) have no getClientRects on ranges: no boxes rather than no panel.
      const rects = typeof range.getClientRects === "function" ? range.getClientRects() : [];
      for (const rect of rects) {
        if (rect.width < 1 || rect.height < 1) continue;
        const box = pg.ui.el(doc, "div", { className: `pg-hl pg-sev-${severity}` });
        box.style.left = `${rect.left}px`;
        box.style.top = `${rect.top}px`;
        box.style.width = `${rect.width}px`;
        box.style.height = `${rect.height}px`;
        layer.append(box);
      }
    }
  }

  /** Removes the overlay (on input in the editor, on panel close, on detach). */
  function clear() {
    if (!current) return;
    root.removeEventListener("scroll", current.onMove, { capture: true });
    root.removeEventListener("resize", current.onMove);
    current.host.remove();
    current = null;
  }

  /** Builds highlight spans for a check result against the extracted editor text. */
  function spansFor(extracted, findings) {
    if (!extracted) return [];
    const spans = [];
    for (const finding of findings) {
      const span = pg.text.findingSpan(extracted.text, finding);
      const range = span && pg.text.rangeFor(extracted, span.start, span.end);
      if (range) spans.push({ range, severity: finding.severity });
    }
    return spans;
  }

  pg.highlights = { show, clear, spansFor, isShown: () => Boolean(current) };
  pg.runtime?.onDetach(clear);
})(globalThis);
