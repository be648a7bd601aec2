/**
 * The service worker's entry point: registers listeners synchronously at the top level (Chrome
 * only wakes an evicted worker for listeners registered in the first turn) and wires them to the
 * router. No state lives here; see storage.js.
 */
import { routeMessage } from "./router.js";
import { flushAudit, refreshHealth } from "./handlers.js";
import { RETRY_ALARM } from "./audit-queue.js";
import { HEALTH_ALARM, armHealthAlarm } from "./badge.js";
import { PRECHECK_PORT, servePrecheckPort } from "./reaction-handlers.js";

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

// The reaction guard's pre-checks of posts scrolling into view come over a port (cheaper for the page).
chrome.runtime.onConnect.addListener((port) => {
  if (port.name === PRECHECK_PORT) servePrecheckPort(port, deps(), routeMessage);
});

chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === RETRY_ALARM) flushAudit(deps()).catch(() => {});
  if (alarm.name === HEALTH_ALARM) refreshHealth(deps()).catch(() => {});
});

/** At start and install: deliver what waited, show the checker's state on the badge, keep watching it. */
function onStart() {
  flushAudit(deps()).catch(() => {});
  refreshHealth(deps()).catch(() => {});
  armHealthAlarm(chrome);
}
chrome.runtime.onStartup.addListener(onStart);
chrome.runtime.onInstalled.addListener(onStart);

// Another companion URL (the user's settings or IT's policy): the badge follows it at once.
chrome.storage.onChanged.addListener((changes, area) => {
  if (area === "managed" || (area === "local" && changes.userSettings)) refreshHealth(deps()).catch(() => {});
});
