/*
 * The guarded sites, generated from sites.json by scripts/sync_sites.py: edit sites.json, then run it.
 * The service worker, the options page and the popup import `SITES` from here.
 */
const LIST = /* sites.json */ [
  {
    "id": "linkedin",
    "label": "LinkedIn",
    "origins": [
      "https://www.linkedin.com"
    ],
    "matches": [
      "https://www.linkedin.com/*"
    ],
    "composer": "content/sites/linkedin.js",
    "feed": "content/feed/linkedin-feed.js"
  },
  {
    "id": "facebook",
    "label": "Facebook",
    "origins": [
      "https://www.facebook.com"
    ],
    "matches": [
      "https://www.facebook.com/*"
    ],
    "composer": "content/sites/facebook.js",
    "feed": "content/feed/facebook-feed.js"
  },
  {
    "id": "instagram",
    "label": "Instagram",
    "origins": [
      "https://www.instagram.com"
    ],
    "matches": [
      "https://www.instagram.com/*"
    ],
    "composer": "content/sites/instagram.js",
    "feed": "content/feed/instagram-feed.js"
  }
] /* end sites.json */;

/** Every guarded site: {id, label, origins, matches, composer, feed}, frozen. */
export const SITES = Object.freeze(LIST.map((site) => Object.freeze({
  ...site, origins: Object.freeze(site.origins), matches: Object.freeze(site.matches),
})));
