/**
 * The service worker's entry point: registers listeners synchronously at the top level (Chrome
 * only wakes an evicted worker for listeners registered in the first turn) and wires them to the
 * router. No state lives here; see storage.js.
 */
import { routeMessage } from "./router.js";
import { flushAudit } from "./handlers.js";
import { RETRY_ALARM } from "./audit-queue.js";

function deps() {
  return {
    chrome: globalThis.chrome,
    fetchImpl: undefined,
    // Work that must finish after the answer (flushing the audit queue). Holding a promise keeps
    // the worker alive while a fetch is in flight (Chrome 110+ extends the lifetime for it).
    background: (promise) => { promise.catch(() => {}); },
  };
}

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  routeMessage(message, sender, deps()).then(sendResponse);
  return true; // answer asynchronously
});

chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === RETRY_ALARM) flushAudit(deps()).catch(() => {});
});

chrome.runtime.onStartup.addListener(() => { flushAudit(deps()).catch(() => {}); });
chrome.runtime.onInstalled.addListener(() => { flushAudit(deps()).catch(() => {}); });
