/**
 * A Lexical-like editor: the editor's own state is the truth, the DOM is only its rendering.
 *
 * What real Lexical does and this imitates (the parts an extension trips over):
 * - Keyboard input arrives as `beforeinput`; the editor cancels it, edits its state and re-renders
 *   `<p dir="auto"><span data-lexical-text="true">…</span></p>` itself.
 * - Input the browser performs natively and announces with an `input` event (document.execCommand
 *   ('insertText'), IME composition) or a plain character-data change is accepted: the editor reads the
 *   DOM back into its state and re-renders it normalised.
 * - Any other DOM change (textContent/innerHTML assignment, nodes added or removed by a script) is
 *   REVERTED a moment later: the state is rendered again over it.
 * - `remount()` replaces the root element with a fresh one carrying the same state — what Facebook's
 *   composer does after an image upload, which leaves references to the old node dangling.
 *
 * State: `paragraphs`, an array of strings where "\n" is a line break inside a paragraph. The text the
 * site sends (`text`) joins paragraphs with "\n".
 */

import { pointToFlat, readBlocks, selectionFor } from "./dom-text.js";
import { flatToPoint, renderParagraphs } from "./lexical-render.js";

const PARAGRAPH = "\u2029";

export class LexicalLikeEditor extends EventTarget {
  /** `createRoot()` returns a new, empty contenteditable root with the site's attributes. */
  constructor(createRoot, { onEnter = null } = {}) {
    super();
    this.createRoot = createRoot;
    this.onEnter = onEnter;
    this.paragraphs = [""];
    this.history = [];
    this.nativeInputSeen = false;
    this.foreignStructure = false;
    this.decisionTimer = 0;
    this.composing = false;
    this.root = null;
    this.observer = new MutationObserver((records) => this.onMutations(records));
    this.mount(createRoot());
  }

  get text() {
    return this.paragraphs.join("\n");
  }

  isBlank() {
    return this.text.trim() === "";
  }

  /** Attach to a root element, render the state into it and listen like Lexical's root listeners. */
  mount(root) {
    this.root = root;
    root.__lexicalEditor = this;
    const listen = (type, fn) => root.addEventListener(type, fn);
    listen("beforeinput", (e) => this.onBeforeInput(e));
    listen("input", () => this.onNativeInput());
    listen("compositionstart", () => (this.composing = true));
    listen("compositionend", () => {
      this.composing = false;
      this.onNativeInput();
    });
    listen("keydown", (e) => this.onKeyDown(e));
    listen("paste", (e) => this.onTransfer(e, e.clipboardData));
    listen("drop", (e) => this.onTransfer(e, e.dataTransfer));
    this.render();
    this.observer.observe(root, { childList: true, characterData: true, subtree: true });
  }

  /** Replace the root element with a new one holding the same state (Facebook after an upload). */
  remount() {
    const old = this.root;
    const hadFocus = old.contains(selectionFor(old).anchorNode) || document.activeElement === old;
    const caret = hadFocus ? this.readCaret() : null;
    this.observer.disconnect();
    const fresh = this.createRoot();
    old.replaceWith(fresh);
    delete old.__lexicalEditor;
    this.mount(fresh);
    if (hadFocus) {
      fresh.focus();
      this.placeCaret(caret ?? this.flat().length);
    }
    return fresh;
  }

  /** Empty the state (the sites clear their composer after a submit). */
  clear() {
    this.paragraphs = [""];
    this.history = [];
    this.commit();
  }

  flat() {
    return this.paragraphs.join(PARAGRAPH);
  }

  /** Re-render the DOM from state and drop the mutation records our own rendering produced. */
  render() {
    renderParagraphs(this.root, this.paragraphs);
    this.observer.takeRecords();
  }

  commit() {
    this.render();
    this.dispatchEvent(new Event("change"));
  }

  onKeyDown(event) {
    if (event.key === "Enter" && !event.isComposing && this.onEnter && this.onEnter(event, this)) {
      event.preventDefault();
    }
  }

  onBeforeInput(event) {
    if (event.inputType === "insertCompositionText") return;
    event.preventDefault();
    const range = this.targetRange(event);
    if (!range) return;
    const type = event.inputType;
    if (type === "historyUndo") return this.undo();
    if (type.startsWith("format") || type === "historyRedo") return;
    let insert = "";
    if (type === "insertParagraph") insert = PARAGRAPH;
    else if (type === "insertLineBreak") insert = "\n";
    else if (type.startsWith("insert")) insert = event.data ?? event.dataTransfer?.getData("text/plain") ?? "";
    else if (!type.startsWith("delete")) return;
    let [start, end] = range;
    if (start === end && type === "deleteContentBackward") start = Math.max(0, start - 1);
    if (start === end && type === "deleteContentForward") end = Math.min(this.flat().length, end + 1);
    this.replaceRange(start, end, insert);
  }

  /** Pasted or dropped text is inserted as plain text; files are handed to the composer. */
  onTransfer(event, transfer) {
    if (!transfer) return;
    event.preventDefault();
    const files = Array.from(transfer.files || []);
    if (files.length) this.dispatchEvent(new CustomEvent("files", { detail: files }));
    const text = transfer.getData("text/plain");
    if (!text || files.length) return;
    const caret = this.readSelection();
    if (caret) this.replaceRange(caret[0], caret[1], text.replace(/\r\n?/g, "\n"));
  }

  replaceRange(start, end, insert) {
    const flat = this.flat();
    this.history.push(flat);
    if (this.history.length > 100) this.history.shift();
    const next = flat.slice(0, start) + insert + flat.slice(end);
    this.paragraphs = next.split(PARAGRAPH);
    this.commit();
    this.placeCaret(start + insert.length);
  }

  undo() {
    const previous = this.history.pop();
    if (previous === undefined) return;
    this.paragraphs = previous.split(PARAGRAPH);
    this.commit();
    this.placeCaret(previous.length);
  }

  onNativeInput() {
    this.nativeInputSeen = true;
    this.scheduleDecision();
  }

  onMutations(records) {
    if (records.some((r) => r.type === "childList")) this.foreignStructure = true;
    this.scheduleDecision();
  }

  /** Decide one task later, once any `input` event belonging to these mutations has fired. */
  scheduleDecision() {
    if (this.decisionTimer) return;
    this.decisionTimer = setTimeout(() => {
      this.decisionTimer = 0;
      if (this.composing) return;
      const accept = this.nativeInputSeen || !this.foreignStructure;
      this.nativeInputSeen = false;
      this.foreignStructure = false;
      if (accept) this.acceptDom();
      else this.revertDom();
    }, 0);
  }

  /** Read natively-edited DOM into the state, then render it normalised with the caret kept. */
  acceptDom() {
    this.observer.takeRecords();
    const caret = this.readCaret();
    const paragraphs = readBlocks(this.root);
    const changed = paragraphs.join(PARAGRAPH) !== this.flat();
    if (changed) this.history.push(this.flat());
    this.paragraphs = paragraphs;
    this.render();
    if (caret !== null) this.placeCaret(caret);
    if (changed) this.dispatchEvent(new Event("change"));
  }

  /** Put the DOM back to what the state says; a script's direct DOM write does not count as input. */
  revertDom() {
    this.observer.takeRecords();
    this.render();
  }

  /** [start, end] flat offsets for the edit: the event's target range, else the selection. */
  targetRange(event) {
    const ranges = event.getTargetRanges ? event.getTargetRanges() : [];
    if (ranges.length) {
      const r = ranges[0];
      const a = pointToFlat(this.root, r.startContainer, r.startOffset);
      const b = pointToFlat(this.root, r.endContainer, r.endOffset);
      if (a !== null && b !== null) return [Math.min(a, b), Math.max(a, b)];
    }
    return this.readSelection();
  }

  readSelection() {
    const sel = selectionFor(this.root);
    if (!sel || sel.rangeCount === 0) return null;
    const a = pointToFlat(this.root, sel.anchorNode, sel.anchorOffset);
    const b = pointToFlat(this.root, sel.focusNode, sel.focusOffset);
    if (a === null || b === null) return null;
    return [Math.min(a, b), Math.max(a, b)];
  }

  readCaret() {
    const sel = this.readSelection();
    return sel ? sel[1] : null;
  }

  placeCaret(flatOffset) {
    const [node, offset] = flatToPoint(this.root, flatOffset);
    const sel = selectionFor(this.root);
    if (document.activeElement !== this.root && !this.root.contains(sel.anchorNode)) return;
    sel.setBaseAndExtent(node, offset, node, offset);
  }
}
