/**
 * The toolbar button's badge: red with "!" while the companion (the checker) does not answer, empty
 * while it does. Set from every health read and every check, and by a health alarm once a minute, so
 * a salesperson sees the checker is down before they write a post. The popup says what to do.
 */
import { recordHealth } from "./activity.js";
import * as companion from "./companion-client.js";

export const HEALTH_ALARM = "postguard-health";
export const DOWN_COLOR = "#c0392b";

/** Shows the companion's state on the toolbar button; never throws (no action API in unit fakes). */
export async function showCompanionState(chromeApi, reachable) {
  try {
    const action = chromeApi?.action;
    if (!action) return;
    await action.setBadgeText({ text: reachable ? "" : "!" });
    if (!reachable) await action.setBadgeBackgroundColor({ color: DOWN_COLOR });
    const title = reachable ? chromeApi.i18n.getMessage("extName") : chromeApi.i18n.getMessage("badgeDownTitle");
    await action.setTitle({ title: title || "Postguard" });
  } catch (_err) {
    // A badge is a hint; a failure to draw it must not fail a check.
  }
}

/**
 * Asks the companion for its health, remembers it and shows it on the badge. Answers
 * {reachable, status, versions, org} or {reachable: false, error}.
 */
export async function probeHealth(chromeApi, conn) {
  const answer = await companion.health(conn);
  const health = answer.ok
    ? { reachable: true, status: answer.body.status, versions: answer.body.versions || {}, org: answer.body.org || null }
    : { reachable: false, error: answer.error };
  await recordHealth(chromeApi, health);
  await showCompanionState(chromeApi, health.reachable);
  return health;
}

/** Arms the once-a-minute health alarm unless it is already there (re-creating it would delay it). */
export async function armHealthAlarm(chromeApi) {
  try {
    if (!(await chromeApi.alarms.get(HEALTH_ALARM))) await chromeApi.alarms.create(HEALTH_ALARM, { periodInMinutes: 1 });
  } catch (_err) {
    // No alarms: the badge still follows checks and the popup.
  }
}
