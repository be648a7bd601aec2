/*
 * The base every feed adapter is defined over (web-scrobbler's habit: one small file per site, one
 * documented base). The reaction guard asks an adapter five questions about a page:
 *
 *   posts            CSS selector of the feed's post containers (observed as they scroll into view)
 *   postOf(node)     the post a node belongs to (comments inside a post are not posts); default:
 *                    the nearest `posts` ancestor
 *   postId(post)     a stable id for the pre-check cache (the site's own urn / permalink)
 *   author(post)     {name, handle}: who wrote it (handle = profile path or username)
 *   text(post)       the post's visible text
 *   control(target, lastPost, event)  what a click (or Enter/Space keydown, `event`) on `target` does:
 *                    {action: react|repost|share|comment, el, post,
 *                    turnsOn, reaction} or null when it is no guarded control. `turnsOn` is false
 *                    when the click would take a reaction back (un-like, un-repost): never held.
 *                    `lastPost` is the post the pointer was last over, for controls that
 *                    mount outside their post (Facebook's reactions toolbar). A comment box's
 *                    send is not a control here: the composer guard takes it and asks the reaction
 *                    guard about its post (comment-gate.js, through `postOf`).
 *
 * and optionally `doubleTap(target)` for sites where a double click on the photo likes it,
 * `authorLine(post)`: the element showing the author's name (the reaction card never covers it), and
 * `identity(post)`: who the user would react as on this post, as the page shows it (the post's
 * identity switcher, "Comment as ‹Name›", the signed-in account), "" when the page does not say.
 * Adapters are tables of selectors over roles, aria-labels and data hooks, with label tables per
 * language; never generated class names.
 */
const root = globalThis;

const REQUIRED = Object.freeze(["id", "posts", "postId", "author", "text", "control"]);

/** An element's accessible label: aria-label, else its text, trimmed and with spaces collapsed. */
function labelOf(el) {
  if (!el || el.nodeType !== 1) return "";
  const label = el.getAttribute("aria-label") || el.textContent || "";
  return label.replace(/\s+/g, " ").trim();
}

/** The visible text of an element, lines kept, runs of spaces collapsed (textContent: no layout). */
function textOf(el) {
  return el ? (el.textContent || "").replace(/[ \t\u00a0]+/g, " ").replace(/\n\s*\n+/g, "\n").trim() : "";
}

/** `label` without the first prefix of `prefixes` it starts with (case-insensitive), or null. */
function afterPrefix(label, prefixes) {
  const lower = label.toLowerCase();
  for (const prefix of prefixes) {
    if (lower.startsWith(prefix.toLowerCase())) return label.slice(prefix.length).trim() || null;
  }
  return null;
}

/** True when `label` is one of `labels` (case-insensitive, whole label). */
function isOneOf(label, labels) {
  const lower = label.toLowerCase();
  return labels.some((l) => l.toLowerCase() === lower);
}

/** "/in/anna-berg/", "https://www.facebook.com/northwind?ref=x" → the path without query, or "". */
function handleFromHref(href) {
  if (!href) return "";
  try {
    return new URL(href, root.location?.href || "https://invalid.test/").pathname;
  } catch (_err) {
    return "";
  }
}

/** The first element matching any selector of `selectors`, inside `scope`. */
function firstOf(scope, selectors) {
  for (const selector of selectors) {
    const found = scope.querySelector(selector);
    if (found) return found;
  }
  return null;
}

/** The first capture of the first pattern of `patterns` that matches `text` (trimmed), or "". */
function nameIn(text, patterns) {
  const value = (text || "").replace(/\s+/g, " ").trim();
  for (const pattern of patterns) {
    const found = pattern.exec(value);
    if (found) return found[1].trim();
  }
  return "";
}

/**
 * A page-wide reading (the account the nav says is signed in) taken at most every `ttlMs`: each post
 * coming into view asks for it, and the feed is long. Sites that switch accounts from the nav reload
 * the page (feed-dom.md), so a reading is never older than the account on screen by more than `ttlMs`.
 */
function pageReading(read, ttlMs = 2000) {
  let at = -Infinity;
  let value = "";
  return () => {
    const now = Date.now();
    if (now - at > ttlMs) { value = read() || ""; at = now; }
    return value;
  };
}

/** Registers a site's feed adapter after checking it answers every question the guard asks. */
function defineFeedAdapter(spec) {
  const missing = REQUIRED.filter((key) => !(key in spec));
  if (missing.length) throw new Error(`feed adapter ${spec.id || "?"} lacks ${missing.join(", ")}`);
  const adapter = Object.freeze({
    postOf: (node) => (node && node.closest ? node.closest(spec.posts) : null),
    doubleTap: () => null,
    ...spec,
    authorLine: (post) => {
      try {
        return spec.authorLine?.(post) || null;
      } catch (_err) {
        return null; // a page that changed shape costs where the card goes, never the click
      }
    },
    identity: (post) => {
      try {
        return (spec.identity?.(post) || "").replace(/\s+/g, " ").trim().slice(0, 300);
      } catch (_err) {
        return ""; // a page that changed shape costs the identity line, never the click
      }
    },
  });
  return adapter;
}

export const feedBase = Object.freeze({ labelOf, textOf, afterPrefix, isOneOf, handleFromHref, firstOf, nameIn, pageReading });
export { defineFeedAdapter };
