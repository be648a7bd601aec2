/**
 * Drives Debian's firefox-esr over WebDriver BiDi with puppeteer-core, on behalf of the Python
 * end-to-end tests (tests/e2e/harness/firefox.py starts one of these per browser).
 *
 * Protocol: one JSON request per line on stdin, `{id, op, args}`; one JSON answer per line on stdout,
 * `{id, ok: true, value}` or `{id, ok: false, error}`. Nothing else is written to stdout. The process
 * ends when stdin closes (the browser is closed first), so a Python test that dies never leaves a
 * Firefox behind.
 *
 * Selectors are Puppeteer's: CSS, with `>>>` to enter open shadow roots (LinkedIn's share box, the
 * Postguard panel). Page functions are arrow-function source strings, called with one argument.
 */
import readline from "node:readline";
import puppeteer from "puppeteer-core";

let browser = null;
const pages = new Map();
let nextPageId = 1;

function page(id) {
  const found = pages.get(id);
  if (!found) throw new Error(`no page ${id}`);
  return found;
}

/** An arrow-function source string as a function Puppeteer can send (it sends fn.toString()). */
function pageFunction(source) {
  // eslint-disable-next-line no-new-func
  return new Function("arg", `return (${source})(arg);`);
}

/** The first element matching `selector` whose trimmed text is exactly `text`. */
async function elementWithText(p, selector, text, timeout) {
  const deadline = Date.now() + timeout;
  for (;;) {
    for (const handle of await p.$$(selector)) {
      const own = await handle.evaluate((el) => (el.textContent || "").trim());
      if (own === text) return handle;
      await handle.dispose();
    }
    if (Date.now() > deadline) throw new Error(`no ${selector} with text ${JSON.stringify(text)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const ops = {
  async launch({ executablePath, prefs, viewport, userDataDir, args = [], timeout = 60_000 }) {
    browser = await puppeteer.launch({
      userDataDir, // undefined: a fresh temporary profile
      args, // e.g. --remote-allow-system-access, for tests that open the extension's own pages
      browser: "firefox",
      protocol: "webDriverBiDi",
      executablePath,
      headless: true,
      acceptInsecureCerts: true, // the replicas' self-signed certificate (names are the real ones)
      extraPrefsFirefox: prefs,
      defaultViewport: viewport,
      timeout,
    });
    return browser.version();
  },
  async installExtension({ path }) {
    return browser.installExtension(path);
  },
  async newPage({ url, timeout = 30_000, waitForLoad = true }) {
    const p = await browser.newPage();
    const id = nextPageId++;
    pages.set(id, p);
    p.setDefaultTimeout(timeout);
    if (url && waitForLoad) await p.goto(url);
    // An extension page loads, but its navigation never completes for BiDi (firefox-esr 153): start it
    // and let the caller wait for what it needs in the page.
    else if (url) p.goto(url, { timeout: 0 }).catch(() => {});
    return id;
  },
  async goto({ page: id, url }) {
    await page(id).goto(url);
    return null;
  },
  async click({ page: id, selector, timeout = 15_000, count = 1 }) {
    const handle = await page(id).waitForSelector(selector, { visible: true, timeout });
    await handle.click({ count });
    await handle.dispose();
    return null;
  },
  async hover({ page: id, selector, timeout = 15_000 }) {
    // The pointer moves onto the element (mouseover / mouseenter), as a person's mouse does.
    const handle = await page(id).waitForSelector(selector, { visible: true, timeout });
    await handle.hover();
    await handle.dispose();
    return null;
  },
  async clickText({ page: id, selector, text, timeout = 15_000 }) {
    const handle = await elementWithText(page(id), selector, text, timeout);
    await handle.click();
    await handle.dispose();
    return null;
  },
  async type({ page: id, text, delay = 5 }) {
    await page(id).keyboard.type(text, { delay });
    return null;
  },
  async press({ page: id, key, modifiers = [] }) {
    const { keyboard } = page(id);
    for (const modifier of modifiers) await keyboard.down(modifier);
    await keyboard.press(key);
    for (const modifier of [...modifiers].reverse()) await keyboard.up(modifier);
    return null;
  },
  async evaluate({ page: id, fn, arg = null }) {
    return page(id).evaluate(pageFunction(fn), arg);
  },
  async waitForFunction({ page: id, fn, arg = null, timeout = 15_000 }) {
    const handle = await page(id).waitForFunction(pageFunction(fn), { timeout, polling: 50 }, arg);
    const value = await handle.jsonValue();
    await handle.dispose();
    return value;
  },
  async waitForSelector({ page: id, selector, state = "visible", timeout = 15_000 }) {
    const options = { timeout, visible: state === "visible", hidden: state === "hidden" };
    const handle = await page(id).waitForSelector(selector, options);
    if (handle) await handle.dispose();
    return null;
  },
  async count({ page: id, selector }) {
    const handles = await page(id).$$(selector);
    await Promise.all(handles.map((h) => h.dispose()));
    return handles.length;
  },
  async texts({ page: id, selector }) {
    const handles = await page(id).$$(selector);
    const texts = [];
    for (const handle of handles) {
      texts.push(await handle.evaluate((el) => el.innerText ?? el.textContent));
      await handle.dispose();
    }
    return texts;
  },
  async selectLabel({ page: id, selector, label, timeout = 15_000 }) {
    // A person's pick in a <select>: the option shown as `label` (input and change events follow).
    const handle = await page(id).waitForSelector(selector, { visible: true, timeout });
    const value = await handle.evaluate(
      (el, text) => [...el.options].find((o) => o.label.trim() === text)?.value ?? null, label);
    if (value === null) throw new Error(`no option ${JSON.stringify(label)} in ${selector}`);
    await handle.select(value);
    await handle.dispose();
    return null;
  },
  async setFiles({ page: id, selector, paths, timeout = 15_000 }) {
    const handle = await page(id).waitForSelector(selector, { timeout });
    await handle.uploadFile(...paths);
    await handle.dispose();
    return null;
  },
  async chooseFiles({ page: id, selector, paths, timeout = 15_000 }) {
    // The site's own button opens the file picker; WebDriver BiDi hands it the files as a user's pick.
    const p = page(id);
    const handle = await p.waitForSelector(selector, { visible: true, timeout });
    const [chooser] = await Promise.all([p.waitForFileChooser({ timeout }), handle.click()]);
    await chooser.accept(paths);
    await handle.dispose();
    return null;
  },
  async screenshot({ page: id, path }) {
    await page(id).screenshot({ path });
    return path;
  },
  async close() {
    if (browser) await browser.close();
    browser = null;
    return null;
  },
};

function answer(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

const lines = readline.createInterface({ input: process.stdin });
let queue = Promise.resolve();
lines.on("line", (line) => {
  queue = queue.then(async () => {
    let request;
    try {
      request = JSON.parse(line);
      const op = ops[request.op];
      if (!op) throw new Error(`unknown op ${request.op}`);
      answer({ id: request.id, ok: true, value: (await op(request.args || {})) ?? null });
    } catch (err) {
      answer({ id: request?.id ?? null, ok: false, error: String(err?.message || err).split("\n")[0] });
    }
  });
});
lines.on("close", () => {
  queue.then(() => ops.close()).catch(() => {}).finally(() => process.exit(0));
});
