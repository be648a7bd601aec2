/*
 * The guarded sites, generated from sites.json by scripts/sync_sites.py: edit sites.json, then run it.
 *
 * No import/export (like messages.js): valid as a classic script and as a module, so extension
 * pages and the worker load it with `import "../shared/sites.js"` and read `globalThis.postguardSites`.
 */
(function defineSites(root) {
  "use strict";
  const SITES = /* sites.json */ [
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
  root.postguardSites = Object.freeze(SITES.map((site) => Object.freeze({
    ...site, origins: Object.freeze(site.origins), matches: Object.freeze(site.matches),
  })));
})(globalThis);
