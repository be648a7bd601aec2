/**
 * An in-memory stand-in for the parts of the `chrome` API the extension uses (storage areas with
 * onChanged, runtime messaging, i18n from our real _locales). Unit tests only: the end-to-end tests
 * run the real extension in Chromium.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const EXTENSION_ID = "lgpmbmmgjnablpheopbbjncokjbhohij";
export const EXTENSION_DIR = fileURLToPath(new URL("../../../extension/", import.meta.url));

function storageArea(name, listeners, initial = {}) {
  const data = structuredClone(initial);
  return {
    data,
    async get(keys) {
      if (keys === null || keys === undefined) return structuredClone(data);
      const list = Array.isArray(keys) ? keys : [keys];
      const out = {};
      for (const key of list) if (key in data) out[key] = structuredClone(data[key]);
      return out;
    },
    async set(items) {
      const changes = {};
      for (const [key, value] of Object.entries(items)) {
        changes[key] = { oldValue: data[key], newValue: value };
        data[key] = structuredClone(value);
      }
      listeners.forEach((fn) => fn(changes, name));
    },
  };
}

/** Messages of a locale as chrome.i18n.getMessage would answer them ($1 substitutions). */
export function localeMessages(locale = "en") {
  return JSON.parse(readFileSync(`${EXTENSION_DIR}_locales/${locale}/messages.json`, "utf8"));
}

/**
 * `locale` is the _locales folder Chrome picked for the extension (what `@@ui_locale` answers);
 * `uiLanguage` is what `getUILanguage()` reports, which can differ from it in a real browser.
 */
export function createChromeFake({ managed = {}, local = {}, locale = "en", uiLanguage, onMessage } = {}) {
  const listeners = [];
  const messages = localeMessages(locale);
  const alarms = new Map();
  return {
    storage: {
      local: storageArea("local", listeners, local),
      managed: storageArea("managed", listeners, managed),
      session: storageArea("session", listeners),
      onChanged: { addListener: (fn) => listeners.push(fn), removeListener: () => {} },
    },
    runtime: {
      id: EXTENSION_ID,
      getURL: (path) => `chrome-extension://${EXTENSION_ID}/${path}`,
      sendMessage: async (message) => (onMessage ? onMessage(message) : undefined),
    },
    i18n: {
      getUILanguage: () => uiLanguage || (locale === "zh_CN" ? "zh-CN" : "en-US"),
      getMessage: (key, subs) => {
        if (key === "@@ui_locale") return locale;
        const entry = messages[key];
        if (!entry) return "";
        const values = [].concat(subs ?? []);
        return entry.message.replace(/\$([A-Z_]+)\$/g, (_m, name) => {
          const ph = entry.placeholders?.[name.toLowerCase()];
          const index = ph ? Number(ph.content.replace("$", "")) - 1 : -1;
          return values[index] ?? "";
        });
      },
    },
    action: {
      badge: { text: "", color: null, title: "" },
      async setBadgeText({ text }) { this.badge.text = text; },
      async setBadgeBackgroundColor({ color }) { this.badge.color = color; },
      async setTitle({ title }) { this.badge.title = title; },
    },
    alarms: {
      create: async (name, info) => { alarms.set(name, info); },
      get: async (name) => alarms.get(name),
      clear: async (name) => alarms.delete(name),
      _all: alarms,
    },
  };
}
