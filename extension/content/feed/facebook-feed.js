/*
 * Facebook feed adapter. Posts are div[aria-posinset] / [role=article] under [role=feed]; comments
 * are articles too ("Comment by ‹Name›"), so a post is the outermost article (or the aria-posinset
 * container). The like button carries the language-independent data-ad-rendering-role="like_button";
 * once reacted its label reads "Remove Like|Love|…" (no aria-pressed). The reactions toolbar (hover)
 * and the share menu ("Share now", "Share to Feed", "Send in Messenger") may mount outside the post.
 */
import { defineFeedAdapter, feedBase } from "./feed-adapter-base.js";

const root = globalThis;

const { labelOf, textOf, afterPrefix, isOneOf, handleFromHref, firstOf, nameIn } = feedBase;

// English from feed-dom.md; other languages unconfirmed (2026-12).
const REACTIONS = ["Like", "Love", "Care", "Haha", "Wow", "Sad", "Angry", "Gefällt mir", "J’aime", "赞", "大爱", "抱抱", "笑趴", "哇", "心碎", "怒"];
const REMOVE_PREFIXES = ["Remove ", "Entfernen: ", "Retirer ", "移除"];
const SHARE_PUBLIC = ["Share now", "Share now (Friends)", "Share now (Public)", "Share to Feed", "Jetzt teilen", "Partager maintenant", "立即分享", "分享到动态"];
const COMMENT_LABELS = ["Leave a comment", "Comment", "Kommentieren", "Commenter", "评论"];

// Who the user reacts as (feed-dom.md): the post's comment box "Comment as ‹Name›", else the page's
// "‹Name›'s timeline" link or the create-post card's "What's on your mind, ‹Name›?". Switching to a Page
// reloads ("Switch Now"). The same readings as the composer's adapter (content/sites/facebook.js).
const COMMENT_AS = [/^Comment as (.+?)$/i, /^以\s*(.+?)\s*的身份(?:发表)?评论/];
const TIMELINE = [/^(.+?)(?:'|’)s timeline$/i, /^(.+?)的时间线$/];
const ON_YOUR_MIND = [/^What(?:'|’)s on your mind, (.+?)\?$/i, /^(.+?)，(?:你|您)在想些?什么？$/, /^在想些什么，(.+?)？$/];
const account = feedBase.pageReading(() => {
  for (const link of root.document.querySelectorAll('a[aria-label]')) {
    const name = nameIn(link.getAttribute("aria-label"), TIMELINE);
    if (name) return name;
  }
  for (const el of root.document.querySelectorAll('[role="region"] [role="button"], [role="region"] [role="button"] span')) {
    const name = nameIn(el.textContent, ON_YOUR_MIND);
    if (name) return name;
  }
  return "";
});

function identity(post) {
  for (const box of post.querySelectorAll('[role="textbox"]')) {
    for (const attr of ["aria-label", "aria-placeholder"]) {
      const name = nameIn(box.getAttribute(attr), COMMENT_AS);
      if (name) return name;
    }
  }
  return account();
}

const POSTS = '[role="feed"] [aria-posinset], [role="feed"] [role="article"]';

function postOf(node) {
  if (!node || !node.closest) return null;
  const positioned = node.closest('[role="feed"] [aria-posinset]');
  if (positioned) return positioned;
  let article = node.closest('[role="article"]');
  while (article && article.parentElement?.closest('[role="article"]')) article = article.parentElement.closest('[role="article"]');
  return article && article.closest('[role="feed"]') ? article : null;
}

function postId(post) {
  const link = post.querySelector('a[href*="/posts/"], a[href*="story_fbid"], a[href*="/permalink/"]');
  return handleFromHref(link?.getAttribute("href")) || post.getAttribute("aria-describedby")
    || post.getAttribute("aria-posinset") || "";
}

/** The author's name line: the card is placed clear of it. */
function authorLine(post) {
  return firstOf(post, ['[data-ad-rendering-role="profile_name"]', "h2 strong", "h3 strong"]);
}

function author(post) {
  const name = firstOf(post, [
    '[data-ad-rendering-role="profile_name"] a[href] strong span', '[data-ad-rendering-role="profile_name"] a[href]',
    "h2 strong a", "h3 strong a", 'h3 a[role="link"] strong span',
  ]);
  const link = name?.closest("a[href]");
  return { name: textOf(name), handle: handleFromHref(link?.getAttribute("href")) };
}

function text(post) {
  return textOf(firstOf(post, [
    '[data-ad-rendering-role="story_message"]', '[data-ad-comet-preview="message"]', '[data-ad-preview="message"]',
  ]));
}

function control(target, lastPost = null) {
  const button = target.closest('[role="button"]');
  if (!button) return null;
  // A comment's own Like sits in a nested article ("Comment by ‹Name›"): not the post's reaction.
  const article = button.closest('[role="article"]');
  if (article && article.parentElement?.closest('[role="article"]')) return null;
  const label = labelOf(button);
  if (button.querySelector('[data-ad-rendering-role="like_button"]') || button.matches('[data-ad-rendering-role="like_button"]')) {
    return { action: "react", el: button, turnsOn: afterPrefix(label, REMOVE_PREFIXES) === null, reaction: "like" };
  }
  if (button.closest('[data-ad-rendering-role="comment_button"]') || isOneOf(label, COMMENT_LABELS)) {
    return { action: "comment", el: button, turnsOn: true };
  }
  if (isOneOf(label, SHARE_PUBLIC)) return { action: "share", el: button, turnsOn: true };
  if (isOneOf(label, REACTIONS)) {
    // A toolbar reaction: it turns a reaction on unless the post's like button already says "Remove …".
    const post = postOf(button) || lastPost;
    const like = post?.querySelector('[data-ad-rendering-role="like_button"]')?.closest('[role="button"]');
    return { action: "react", el: button, turnsOn: !like || afterPrefix(labelOf(like), REMOVE_PREFIXES) === null, reaction: label.toLowerCase() };
  }
  return null;
}

export default defineFeedAdapter({ id: "facebook", posts: POSTS, postOf, postId, author, authorLine, text, control, identity });
