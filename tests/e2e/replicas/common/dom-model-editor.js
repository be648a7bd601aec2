/**
 * A Quill-1 / ProseMirror-like editor: the DOM is the source of truth and the model follows it late.
 *
 * Like Quill's ScrollBlot and ProseMirror's DOMObserver, this editor lets the browser edit the
 * contenteditable natively (typing, execCommand, even a direct textContent assignment) and reads the DOM
 * back *one task later* (MutationObserver → setTimeout 0), normalising it into one `<p>` per line. The
 * site's Post handler sends `editor.text`, the model — so an extension that edits the DOM and clicks Post
 * in the same tick sends the old text, exactly as it would on the real site.
 *
 * Flavours: "quill" toggles `ql-blank` on the root (placeholder via `data-placeholder` + CSS) and keeps
 * empty lines as `<p><br></p>`; "prosemirror" marks the empty doc's paragraph with
 * `is-empty is-editor-empty` + `data-placeholder` and uses `<br class="ProseMirror-trailingBreak">`.
 */

import { BLOCK_TAGS, readBlocks, selectionFor } from "./dom-text.js";

export class DomModelEditor extends EventTarget {
  /** `root` is the contenteditable element; `flavor` is "quill" or "prosemirror". */
  constructor(root, { flavor = "quill", placeholder = "" } = {}) {
    super();
    this.root = root;
    this.flavor = flavor;
    this.placeholder = placeholder;
    this.text = "";
    this.timer = 0;
    this.observer = new MutationObserver(() => this.scheduleSync());
    // Tests read the model through the root, as they read `__lexicalEditor` on the Lexical-like editor
    // (wait_for_model_text in harness/replica_page.py). A page-world expando: an extension's isolated
    // world never sees it.
    root.__domModelEditor = this;
  }

  /** Render the empty document and start following the DOM. */
  start() {
    this.root.replaceChildren(this.emptyParagraph());
    this.applyBlankMarkers();
    this.observer.observe(this.root, { childList: true, characterData: true, subtree: true });
    this.root.addEventListener("input", () => this.scheduleSync());
    this.root.addEventListener("paste", (event) => this.onPaste(event));
    return this;
  }

  /** Empty the editor (after a successful submit). */
  clear() {
    this.root.replaceChildren(this.emptyParagraph());
    this.scheduleSync();
  }

  /** True when the model holds no visible text. */
  isBlank() {
    return this.text.trim() === "";
  }

  scheduleSync() {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = 0;
      this.sync();
    }, 0);
  }

  /** Read the DOM into the model, normalising stray structure first (as Quill's optimize() does). */
  sync() {
    this.normalize();
    this.observer.takeRecords();
    const text = readBlocks(this.root).join("\n");
    this.applyBlankMarkers(text);
    this.observer.takeRecords();
    if (text === this.text) return;
    this.text = text;
    this.dispatchEvent(new Event("change"));
  }

  /** Paste as plain text (both editors' clipboard modules drop foreign markup); files go to listeners. */
  onPaste(event) {
    const files = event.clipboardData ? Array.from(event.clipboardData.files) : [];
    if (files.length) {
      event.preventDefault();
      this.dispatchEvent(new CustomEvent("files", { detail: files }));
      return;
    }
    const text = event.clipboardData?.getData("text/plain");
    if (!text) return;
    event.preventDefault();
    document.execCommand("insertText", false, text);
  }

  emptyParagraph() {
    const p = document.createElement("p");
    const br = document.createElement("br");
    if (this.flavor === "prosemirror") br.className = "ProseMirror-trailingBreak";
    p.append(br);
    return p;
  }

  applyBlankMarkers(text = this.text) {
    const blank = text === "";
    if (this.flavor === "quill") {
      this.root.classList.toggle("ql-blank", blank);
      if (this.placeholder) this.root.dataset.placeholder = this.placeholder;
      return;
    }
    for (const p of this.root.querySelectorAll("p.is-editor-empty")) {
      p.classList.remove("is-empty", "is-editor-empty");
      p.removeAttribute("data-placeholder");
    }
    const first = this.root.firstElementChild;
    if (blank && first) {
      first.classList.add("is-empty", "is-editor-empty");
      first.dataset.placeholder = this.placeholder;
    }
  }

  /** Wrap root-level inline runs in `<p>`, turn other blocks into `<p>`, keep at least one line. */
  normalize() {
    const saved = saveSelection(this.root);
    let run = null;
    for (const node of Array.from(this.root.childNodes)) {
      if (node.nodeType === Node.ELEMENT_NODE && BLOCK_TAGS.has(node.nodeName)) {
        run = null;
        if (node.nodeName !== "P") this.replaceBlock(node);
        continue;
      }
      if (node.nodeType === Node.TEXT_NODE && node.data === "" ) {
        node.remove();
        continue;
      }
      if (!run) {
        run = document.createElement("p");
        this.root.insertBefore(run, node);
      }
      run.append(node);
    }
    for (const p of this.root.children) if (!p.firstChild) p.append(document.createElement("br"));
    if (!this.root.firstChild) this.root.append(this.emptyParagraph());
    restoreSelection(saved);
  }

  replaceBlock(block) {
    const p = document.createElement("p");
    p.append(...block.childNodes);
    block.replaceWith(p);
  }
}

function saveSelection(root) {
  const sel = selectionFor(root);
  if (!sel || sel.rangeCount === 0 || !root.contains(sel.anchorNode)) return null;
  return { sel, anchor: [sel.anchorNode, sel.anchorOffset], focus: [sel.focusNode, sel.focusOffset], root };
}

function restoreSelection(saved) {
  if (!saved) return;
  const [an, ao] = saved.anchor;
  const [fn, fo] = saved.focus;
  if (!saved.root.contains(an) || !saved.root.contains(fn)) return;
  const sel = saved.sel;
  if (sel.anchorNode === an && sel.anchorOffset === ao && sel.focusNode === fn && sel.focusOffset === fo) return;
  try {
    sel.setBaseAndExtent(an, ao, fn, fo);
  } catch {
    /* offsets no longer valid after a merge: leave the caret where the browser put it */
  }
}
