/*
 * Strings for the in-page UI through chrome.i18n (English and Chinese ship in _locales). A missing
 * key (or no chrome.i18n, as in unit tests without a stub) shows the key, which a test notices.
 */
const root = globalThis;

/** The localized message for `key`, with `$1`-style substitutions. */
function t(key, substitutions) {
  try {
    const message = root.chrome?.i18n?.getMessage?.(key, substitutions);
    if (message) return message;
  } catch (_err) {
    // An orphaned context throws here; the key is better than nothing while we detach.
  }
  return key;
}

/** Two sentences in a row: a space after an English one, none after a Chinese full stop or colon. */
function joinSentences(first, second) {
  return /[。！？：]$/.test(first) ? `${first}${second}` : `${first} ${second}`;
}

export { t };
export { joinSentences };
