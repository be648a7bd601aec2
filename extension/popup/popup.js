/**
 * The toolbar button's popup, for the salesperson: is the checker running (and whom to contact when
 * it is not), is this site protected, which sites are, what the last check found (verdict and
 * categories only — never the post), which rules and company lists are in use and whether those are
 * only the shipped example, the answers to the drafts this browser sent for approval (waiting,
 * approved, rejected, changes requested, with the reviewer's comment), and links to the settings and
 * to IT's help page. Everything comes from the worker (the status the options page uses, and
 * `approval-list`); text is set with textContent only.
 */
import { MESSAGES } from "../shared/messages.js";
import { SITES } from "../shared/sites.js";

const t = (key, subs) => chrome.i18n.getMessage(key, subs) || key;

function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "text") node.textContent = v; else node.setAttribute(k, v === true ? "" : v);
  }
  children.forEach((c) => node.append(c));
  return node;
}

/**
 * The tab the popup was opened over. `?tab=<id>` names it (how the end-to-end tests open the popup
 * as a page); otherwise the active tab of the window the button was clicked in.
 */
async function currentTab() {
  try {
    const named = Number(new URLSearchParams(location.search).get("tab"));
    if (Number.isInteger(named) && named > 0) return await chrome.tabs.get(named);
    const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
    return tab || null;
  } catch (_err) {
    return null;
  }
}

/** The guarded site a URL belongs to, or null. */
function siteOf(url) {
  try {
    const origin = new URL(url).origin;
    return SITES.find((site) => site.origins.includes(origin)) || null;
  } catch (_err) {
    return null;
  }
}

/** Two sentences in a row: a space after an English one, none after a Chinese full stop or colon. */
function joinSentences(first, second) {
  return /[。！？：]$/.test(first) ? `${first}${second}` : `${first} ${second}`;
}

function contact(policy) {
  const parts = [t(policy.supportUrl || policy.supportText ? "contactIt" : "contactItNoLink")];
  if (policy.supportText) parts.push(" ", policy.supportText);
  if (policy.supportUrl) parts.push(" ", el("a", { href: policy.supportUrl, target: "_blank", rel: "noopener noreferrer", text: policy.supportUrl }));
  return parts;
}

function renderChecker(status) {
  const line = document.getElementById("checker");
  line.dataset.status = status.health.reachable ? "up" : "down";
  if (status.health.reachable) { line.replaceChildren(t("popupCheckerUp")); return; }
  const [first, ...link] = contact(status.policy);
  line.replaceChildren(joinSentences(t("optionsCompanionDown"), first), ...link);
}

function renderSites(status, tab) {
  const list = document.getElementById("sites");
  list.replaceChildren(...SITES.map((site) => el("li", {
    "data-site": site.id, "data-protected": String(status.policy.sites.includes(site.id)), text: site.label,
  })));
  const here = document.getElementById("this-site");
  const site = tab?.url ? siteOf(tab.url) : null;
  let host = "";
  try { host = tab?.url ? new URL(tab.url).hostname : ""; } catch (_err) { host = ""; }
  let state = !site ? "not-guarded" : status.policy.sites.includes(site.id) ? "protected" : "off";
  // Guarded, but nothing is checked while the checker is down: not "Protected".
  if (state === "protected" && !status.health.reachable) state = "down";
  here.dataset.state = state;
  const label = { protected: "popupSiteProtected", off: "popupSiteOff", down: "popupSiteDown", "not-guarded": "popupSiteNotGuarded" }[state];
  here.replaceChildren(el("span", { text: t(label) }));
  if (host) here.append(el("div", { class: "muted", text: host }));
}

function renderLastCheck(checks) {
  const box = document.getElementById("last-check");
  const last = checks[0];
  if (!last) { box.textContent = t("popupNoCheck"); box.dataset.verdict = "none"; return; }
  const verdict = last.verdict || "error";
  box.dataset.verdict = verdict;
  const site = SITES.find((s) => s.id === last.platform)?.label || last.platform;
  box.replaceChildren(el("span", { class: `verdict-${verdict}`, text: t(`verdict_${verdict}`) }));
  const categories = (last.categories || []).map((c) => t(`cat_${c}`));
  if (categories.length) box.append(el("div", { "data-part": "categories", text: categories.join(" · ") }));
  box.append(el("div", { class: "muted", text: `${site} · ${new Date(last.at).toLocaleString(document.documentElement.lang)}` }));
}

function renderVersions(status) {
  const versions = status.health.versions || {};
  const org = status.health.org;
  // The rules version lists every pack ("pricing@3+competitor@1+..."): a count, with the list one click away.
  const rules = document.getElementById("rules");
  const packs = typeof versions.rules === "string" ? versions.rules.split("+").filter(Boolean) : [];
  rules.replaceChildren(packs.length
    ? el("details", {}, [el("summary", { text: t("popupRulePacks", [String(packs.length)]) }), el("div", { text: packs.join(", ") })])
    : t("popupUnknown"));
  const orgBox = document.getElementById("org");
  orgBox.dataset.example = String(Boolean(org?.example));
  orgBox.replaceChildren(org?.version || t("popupUnknown"));
  if (org?.example) orgBox.append(el("span", { class: "example", text: t("popupOrgExample") }));
}

const APPROVAL_LINES = {
  pending: "popupApprovalPending", approved: "popupApprovalApproved", rejected: "popupApprovalRejected",
  changes_requested: "popupApprovalChanges", expired: "popupApprovalExpired",
};

/** One line per request this browser sent: its answer, the reviewer's comment, the site and when. */
function renderApprovals(answer) {
  const section = document.getElementById("approvals");
  const items = answer?.ok && answer.enabled ? answer.approvals : [];
  section.hidden = items.length === 0;
  document.getElementById("approval-list").replaceChildren(...items.map((item) => {
    const site = SITES.find((s) => s.id === item.platform)?.label || item.platform;
    const when = new Date(item.askedAt).toLocaleString(document.documentElement.lang, { dateStyle: "short", timeStyle: "short" });
    const li = el("li", { "data-approval": item.id, "data-status": item.status, "data-stale": String(item.stale) }, [
      el("span", { class: "approval-status", text: t(APPROVAL_LINES[item.status], [item.decidedBy || "?"]) }),
    ]);
    if (item.comment) li.append(el("div", { class: "approval-comment", text: t("approvalComment", [item.comment]) }));
    if (item.stale) li.append(el("div", { class: "approval-stale", text: t("popupApprovalStale") }));
    li.append(el("div", { class: "muted", text: t("popupApprovalAsked", [site, when]) }));
    return li;
  }));
  document.body.dataset.approvals = "ready";
}

function renderLinks(policy) {
  const help = document.getElementById("help");
  if (policy.supportUrl) { help.href = policy.supportUrl; help.hidden = false; } else help.hidden = true;
}

async function start() {
  document.documentElement.lang = t("localeCode");
  document.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = t(n.dataset.i18n); });
  document.getElementById("open-settings").addEventListener("click", (event) => {
    event.preventDefault();
    chrome.runtime.openOptionsPage();
  });
  const [status, tab] = await Promise.all([chrome.runtime.sendMessage({ type: MESSAGES.STATUS_GET.type, payload: {} }), currentTab()]);
  if (!status?.ok) return;
  renderChecker(status);
  renderSites(status, tab);
  renderLastCheck(status.recentChecks);
  renderVersions(status);
  renderLinks(status.policy);
  document.body.dataset.ready = "true";
  // Asked after the rest is shown: the answers come from the central service, a few seconds at most.
  renderApprovals(await chrome.runtime.sendMessage({ type: MESSAGES.APPROVAL_LIST.type, payload: {} }));
}

start();
