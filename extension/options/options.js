/**
 * The options page: the user's settings (read-only, marked "Set by your organisation", where IT's
 * managed policy sets them), companion status, recent checks and adapter health. Everything comes
 * from the service worker through the message catalogue; page text is set with textContent.
 */
import "../shared/messages.js";

const { MESSAGES } = globalThis.postguardMessages;
const t = (key) => chrome.i18n.getMessage(key) || key;

const FIELDS = [
  { key: "enforcement", type: "select", options: ["monitor", "warn", "block"] },
  { key: "failMode", type: "select", options: ["open", "closed"] },
  { key: "allowOverride", type: "checkbox" },
  { key: "requireJustification", type: "checkbox" },
  { key: "sites", type: "sites", options: ["linkedin", "facebook", "instagram"] },
  { key: "companionUrl", type: "text" },
  { key: "supportUrl", type: "text" },
];

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

function control(field, value, locked) {
  const id = `opt-${field.key}`;
  if (field.type === "select") {
    const select = el("select", { id, name: field.key, disabled: locked });
    field.options.forEach((o) => select.append(el("option", { value: o, text: o, selected: o === value })));
    return select;
  }
  if (field.type === "checkbox") return el("input", { id, name: field.key, type: "checkbox", checked: Boolean(value), disabled: locked });
  if (field.type === "sites") {
    const box = el("span", { id });
    field.options.forEach((site) => box.append(el("label", {}, [
      el("input", { type: "checkbox", name: "sites", value: site, checked: value.includes(site), disabled: locked }),
      document.createTextNode(` ${site}  `),
    ])));
    return box;
  }
  return el("input", { id, name: field.key, type: "text", value: value ?? "", disabled: locked });
}

function renderSettings(status) {
  const form = document.getElementById("settings");
  form.replaceChildren();
  for (const field of FIELDS) {
    const locked = status.locked.includes(field.key);
    form.append(el("div", { class: "row", "data-key": field.key, "data-locked": String(locked) }, [
      el("label", { for: `opt-${field.key}` }, [document.createTextNode(t(`opt_${field.key}`)), el("span", { class: "locked", text: t("optionsLocked") })]),
      control(field, status.policy[field.key], locked),
    ]));
  }
  form.append(el("p", {}, [el("button", { type: "submit", text: t("optionsSave") })]));
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

function renderStatus(status) {
  const line = document.getElementById("companion-status");
  line.dataset.status = status.health.reachable ? "up" : "down";
  line.textContent = status.health.reachable ? `${t("optionsCompanionUp")} — ${status.policy.companionUrl}` : t("optionsCompanionDown");
  const versions = status.health.versions || {};
  document.getElementById("companion-versions").textContent = Object.entries(versions).map(([k, v]) => `${k} ${versionText(v)}`).join(" · ");
  document.getElementById("queued").textContent = String(status.queuedDecisions);
  const recent = document.querySelector("#recent tbody");
  recent.replaceChildren();
  if (!status.recentChecks.length) recent.append(el("tr", {}, [el("td", { colspan: "5", text: t("optionsNone") })]));
  for (const c of status.recentChecks) {
    recent.append(el("tr", {}, [
      el("td", { text: new Date(c.at).toLocaleString() }), el("td", { text: c.platform }),
      el("td", { text: c.verdict || c.error || "" }), el("td", { text: (c.categories || []).join(", ") }), el("td", { text: String(c.ms ?? "") }),
    ]));
  }
  renderAdapters(status.adapterHealth);
}

function renderAdapters(table) {
  const body = document.querySelector("#adapters tbody");
  body.replaceChildren();
  for (const site of ["linkedin", "facebook", "instagram"]) {
    const row = table[site] || { matched: 0, missed: 0, probes: {} };
    const probes = Object.entries(row.probes).map(([p, c]) => `${p}: ${c.matched}/${c.missed}`).join(" · ");
    const warn = row.missed > 0 && (!row.lastMatchedAt || row.lastMissedAt > row.lastMatchedAt);
    body.append(el("tr", { "data-site": site, class: warn ? "warn" : undefined, title: warn ? t("optionsAdapterWarning") : undefined }, [
      el("td", { text: site }), el("td", { text: String(row.matched) }), el("td", { text: String(row.missed) }), el("td", { text: probes }),
    ]));
  }
}

async function load() {
  document.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = t(n.dataset.i18n); });
  const status = await send(MESSAGES.STATUS_GET.type);
  if (!status?.ok) return;
  renderSettings(status);
  renderStatus(status);
  document.getElementById("settings").onsubmit = async (event) => {
    event.preventDefault();
    const answer = await send(MESSAGES.SETTINGS_SET.type, { settings: readForm(status) });
    document.getElementById("settings-result").textContent = answer.ok ? t("optionsSaved") : answer.error.message;
  };
}

document.getElementById("send-now").addEventListener("click", async () => {
  await send(MESSAGES.AUDIT_FLUSH.type);
  load();
});
chrome.storage.onChanged.addListener(() => load());
load();
