/**
 * Reading text and caret positions out of a contenteditable, the way the replicated editors do.
 *
 * A document is a list of paragraphs: each block child of the root is one, and each run of inline nodes
 * directly under the root (what Chromium leaves behind after some native edits) is one. Inside a
 * paragraph, text nodes count as their text and `<br>` as a line break — except the paragraph's last
 * leaf `<br>`, which only keeps an empty line open. Positions are "flat" offsets into the paragraphs
 * joined with one separator character each, so reading and rendering agree on every offset.
 */

export const BLOCK_TAGS = new Set(["P", "DIV", "H1", "H2", "H3", "LI", "BLOCKQUOTE", "PRE"]);

/** The selection object that sees inside `root` (shadow roots have their own in Chromium). */
export function selectionFor(root) {
  const scope = root.getRootNode();
  return typeof scope.getSelection === "function" ? scope.getSelection() : document.getSelection();
}

function isBlock(node) {
  return node.nodeType === Node.ELEMENT_NODE && BLOCK_TAGS.has(node.nodeName);
}

/** Root children grouped into paragraphs: a block alone, or a run of consecutive inline nodes. */
export function paragraphGroups(root) {
  const groups = [];
  let run = null;
  for (const node of root.childNodes) {
    if (isBlock(node)) {
      run = null;
      groups.push([node]);
    } else {
      if (!run) groups.push((run = []));
      run.push(node);
    }
  }
  return groups;
}

/** Text nodes and `<br>`s of a paragraph, in document order. */
export function groupLeaves(group) {
  const out = [];
  const walk = (node) => {
    if (node.nodeType === Node.TEXT_NODE || node.nodeName === "BR") out.push(node);
    else for (const child of node.childNodes) walk(child);
  };
  group.forEach(walk);
  return out;
}

/** Length a leaf contributes: its text, 1 for a line break, 0 for the paragraph's trailing `<br>`. */
function leafLength(leaf, index, leaves) {
  if (leaf.nodeType === Node.TEXT_NODE) return leaf.data.length;
  return index === leaves.length - 1 ? 0 : 1;
}

/** Text of every paragraph ("\n" for line breaks); at least one, possibly empty, paragraph. */
export function readBlocks(root) {
  const lines = paragraphGroups(root).map((group) => {
    const leaves = groupLeaves(group);
    return leaves.map((leaf, i) => (leaf.nodeType === Node.TEXT_NODE ? leaf.data : "\n".repeat(leafLength(leaf, i, leaves)))).join("");
  });
  return lines.length ? lines : [""];
}

/** Flat offset of a DOM point inside `root`, or null when the point is outside it. */
export function pointToFlat(root, node, offset) {
  if (!node || (node !== root && !root.contains(node))) return null;
  const groups = paragraphGroups(root);
  if (node === root) return rootPointToFlat(root, groups, offset);
  const boundary = document.createRange();
  boundary.setStart(node, offset);
  let flat = 0;
  for (let g = 0; g < groups.length; g++) {
    if (g > 0) flat += 1;
    const leaves = groupLeaves(groups[g]);
    for (let i = 0; i < leaves.length; i++) {
      const leaf = leaves[i];
      if (leaf === node) return flat + Math.min(offset, leaf.data?.length ?? 0);
      if (boundary.comparePoint(leaf, 0) >= 0) return flat;
      flat += leafLength(leaf, i, leaves);
    }
  }
  return flat;
}

/** A point between the root's children: the start of the paragraph holding child `offset`. */
function rootPointToFlat(root, groups, offset) {
  const child = root.childNodes[offset];
  let flat = 0;
  for (let g = 0; g < groups.length; g++) {
    if (groups[g].includes(child)) return flat;
    const leaves = groupLeaves(groups[g]);
    flat += leaves.reduce((sum, leaf, i) => sum + leafLength(leaf, i, leaves), 0) + 1;
  }
  return Math.max(0, flat - 1);
}
