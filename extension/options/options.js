/**
 * The options page: the user's settings (read-only, marked "Set by your organisation", where IT's
 * managed policy sets them), companion status, recent checks and adapter health. Everything comes
 * from the service worker through the message catalogue; page text is set with textContent.
 *
 * The page holds still: the form is built once and never rebuilt, so what the user types stays put
 * and Save stays clickable. Status (companion, queue, recent checks, adapters) refreshes on its own
 * every few seconds and when the stored activity changes; a refresh writes into the status sections
 * only. A refresh also applies the policy to the form in place: a key IT locks shows IT's value,
 * disabled; a key the user has not touched since the last save shows the stored value; a key the
 * user is editing is left alone. (Reloading on every storage change, as before, looped: each status
 * read stores the companion's health, which is a storage change.)
 */
import { MESSAGES } from "../shared/messages.js";
import { SITES } from "../shared/sites.js";

const t = (key, subs) => chrome.i18n.getMessage(key, subs) || key;
const STATUS_REFRESH_MS = 3000;
// Stored keys whose change means there is something new to show (the companion's health is not one:
// reading the status stores it, and reacting to it would loop).
const STATUS_KEYS = ["recentChecks", "adapterHealth", "auditQueue", "auditDropped", "userSettings"];

const FIELDS = [
  { key: "enforcement", type: "select", options: ["monitor", "warn", "block"] },
  { key: "failMode", type: "select", options: ["open", "closed"] },
  { key: "allowOverride", type: "checkbox" },
  { key: "requireJustification", type: "checkbox" },
  { key: "sites", type: "sites", options: SITES.map((site) => site.id) },
  { key: "companionUrl", type: "text" },
  { key: "supportUrl", type: "text" },
  { key: "supportText", type: "text" },
];

const SITE_LABELS = Object.fromEntries(SITES.map((site) => [site.id, site.label]));

let latest = null; // the last status answer: which keys are locked when Save is clicked

function send(type, payload = {}) {
  return chrome.runtime.sendMessage({ type, payload });
}

function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === false) continue;
    if (k === "text") node.textContent = v; else node.setAttribute(k, v === true ? "" : v);
  }
  children.forEach((c) => node.append(c));
  return node;
}

function control(field) {
  const id = `opt-${field.key}`;
  if (field.type === "select") {
    const select = el("select", { id, name: field.key });
    // The value stays the policy's word; the label says what it does, in the page's language.
    field.options.forEach((o) => select.append(el("option", { value: o, text: t(`opt_${field.key}_${o}`) })));
    return select;
  }
  if (field.type === "checkbox") return el("input", { id, name: field.key, type: "checkbox" });
  if (field.type === "sites") {
    const box = el("span", { id });
    field.options.forEach((site) => box.append(el("label", {}, [
      el("input", { type: "checkbox", name: "sites", value: site }),
      document.createTextNode(` ${SITE_LABELS[site] || site}  `),
    ])));
    return box;
  }
  return el("input", { id, name: field.key, type: "text" });
}

/** Builds the form once; values and locks come from applyPolicy. */
function buildSettings() {
  const form = document.getElementById("settings");
  for (const field of FIELDS) {
    const row = el("div", { class: "row", "data-key": field.key, "data-locked": "false" }, [
      el("label", { for: `opt-${field.key}` }, [document.createTextNode(t(`opt_${field.key}`)), el("span", { class: "locked", text: t("optionsLocked") })]),
      control(field),
    ]);
    // Typing marks the field as the user's: a status refresh will not overwrite it before Save.
    row.addEventListener("input", () => { row.dataset.dirty = "true"; });
    row.addEventListener("change", () => { row.dataset.dirty = "true"; });
    form.append(row);
  }
  form.append(el("p", {}, [el("button", { type: "submit", id: "save", text: t("optionsSave") })]));
}

function setValue(field, row, value) {
  if (field.type === "checkbox") row.querySelector("input").checked = Boolean(value);
  else if (field.type === "sites") row.querySelectorAll('input[name="sites"]').forEach((i) => { i.checked = (value || []).includes(i.value); });
  else row.querySelector("input, select").value = value ?? "";
}

/** The policy into the form, in place: locks always, values where the user is not editing. */
function applyPolicy(status) {
  for (const field of FIELDS) {
    const row = document.querySelector(`.row[data-key="${field.key}"]`);
    const locked = status.locked.includes(field.key);
    row.dataset.locked = String(locked);
    row.querySelectorAll("input, select").forEach((c) => { c.disabled = locked; });
    if (locked) delete row.dataset.dirty;
    if (row.dataset.dirty !== "true") setValue(field, row, status.policy[field.key]);
  }
}

function readForm(status) {
  const form = document.getElementById("settings");
  const settings = {};
  for (const field of FIELDS) {
    if (status.locked.includes(field.key)) continue;
    if (field.type === "checkbox") settings[field.key] = form.elements[field.key].checked;
    else if (field.type === "sites") settings.sites = [...form.querySelectorAll('input[name="sites"]:checked')].map((i) => i.value);
    else settings[field.key] = form.elements[field.key].value.trim();
  }
  return settings;
}

/** A version value for people: lists joined with commas, other objects as JSON, "—" for none. */
function versionText(value) {
  if (value === null || value === undefined) return "—";
  if (Array.isArray(value)) return value.join(", ");
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function renderCompanion(status) {
  const line = document.getElementById("companion-status");
  line.dataset.status = status.health.reachable ? "up" : "down";
  line.replaceChildren();
  if (status.health.reachable) {
    line.textContent = `${t("optionsCompanionUp")} — ${status.policy.companionUrl}`;
  } else {
    const down = t("optionsCompanionDown");
    const contact = t(status.policy.supportUrl || status.policy.supportText ? "contactIt" : "contactItNoLink");
    line.append(/[。：]$/.test(down) ? `${down}${contact}` : `${down} ${contact}`);
    if (status.policy.supportText) line.append(" ", status.policy.supportText);
    if (status.policy.supportUrl) {
      line.append(" ", el("a", { href: status.policy.supportUrl, target: "_blank", rel: "noopener noreferrer", text: status.policy.supportUrl }));
    }
  }
  const versions = status.health.versions || {};
  const org = status.health.org;
  const orgText = org ? [`org ${org.version ?? "—"}${org.example ? ` (${t("optionsOrgExample")})` : ""}`] : [];
  document.getElementById("companion-versions").textContent = [
    ...Object.entries(versions).map(([k, v]) => `${k} ${versionText(v)}`), ...orgText,
  ].join(" · ");
  document.getElementById("queued").textContent = String(status.queuedDecisions);
}

function renderRecent(checks) {
  const recent = document.querySelector("#recent tbody");
  recent.replaceChildren();
  if (!checks.length) recent.append(el("tr", {}, [el("td", { colspan: "5", text: t("optionsNone") })]));
  for (const c of checks) {
    recent.append(el("tr", {}, [
      el("td", { text: new Date(c.at).toLocaleString() }), el("td", { text: c.platform }),
      el("td", { text: c.verdict || c.error || "" }), el("td", { text: (c.categories || []).join(", ") }), el("td", { text: String(c.ms ?? "") }),
    ]));
  }
}

function renderAdapters(table) {
  const body = document.querySelector("#adapters tbody");
  body.replaceChildren();
  for (const { id: site } of SITES) {
    const row = table[site] || { matched: 0, missed: 0, probes: {} };
    const probes = Object.entries(row.probes).map(([p, c]) => `${p}: ${c.matched}/${c.missed}`).join(" · ");
    const warn = row.missed > 0 && (!row.lastMatchedAt || row.lastMissedAt > row.lastMatchedAt);
    body.append(el("tr", { "data-site": site, class: warn ? "warn" : undefined, title: warn ? t("optionsAdapterWarning") : undefined }, [
      el("td", { text: site }), el("td", { text: String(row.matched) }), el("td", { text: String(row.missed) }), el("td", { text: probes }),
    ]));
  }
}

let refreshing = null;
let refreshes = 0;

/** Reads the status once and shows it; concurrent calls share one read. */
function refreshStatus() {
  refreshing ||= send(MESSAGES.STATUS_GET.type).then((status) => {
    if (!status?.ok) return;
    latest = status;
    applyPolicy(status);
    renderCompanion(status);
    renderRecent(status.recentChecks);
    renderAdapters(status.adapterHealth);
    refreshes += 1;
    document.getElementById("companion-status").dataset.refreshes = String(refreshes);
  }).catch(() => {}).finally(() => { refreshing = null; });
  return refreshing;
}

async function save(event) {
  event.preventDefault();
  if (!latest) return;
  const result = document.getElementById("settings-result");
  const answer = await send(MESSAGES.SETTINGS_SET.type, { settings: readForm(latest) });
  if (!answer?.ok) { result.textContent = answer?.error?.message || ""; return; }
  document.querySelectorAll(".row[data-dirty]").forEach((row) => { delete row.dataset.dirty; });
  latest = { ...latest, policy: answer.policy, locked: answer.locked };
  applyPolicy(latest);
  result.textContent = t("optionsSaved");
}

function start() {
  document.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = t(n.dataset.i18n); });
  document.documentElement.lang = t("localeCode");
  buildSettings();
  document.getElementById("settings").addEventListener("submit", save);
  document.getElementById("send-now").addEventListener("click", async () => {
    await send(MESSAGES.AUDIT_FLUSH.type);
    refreshStatus();
  });
  chrome.storage.onChanged.addListener((changes, area) => {
    if (area === "managed" || STATUS_KEYS.some((key) => key in changes)) refreshStatus();
  });
  setInterval(refreshStatus, STATUS_REFRESH_MS);
  refreshStatus();
}

start();
