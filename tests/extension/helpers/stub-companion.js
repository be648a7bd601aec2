/**
 * A loopback HTTP server that answers the companion's pinned routes with canned bodies, so the
 * service worker's real fetch path (headers, timeouts, connection refused) runs in unit tests.
 * The real companion is exercised by the end-to-end tests.
 */
import http from "node:http";

export async function startStubCompanion({ decisionStatus = 200, decisionDelayMs = 0 } = {}) {
  const received = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => { body += chunk; });
    req.on("end", () => {
      const parsed = body ? JSON.parse(body) : null;
      received.push({ method: req.method, path: req.url, headers: req.headers, body: parsed });
      const reply = (status, obj) => { res.writeHead(status, { "Content-Type": "application/json" }); res.end(JSON.stringify(obj)); };
      if (req.url === "/v1/health") return reply(200, { status: "ok", versions: { rules: "test" }, org: { version: "sha256:0123456789ab", example: true } });
      if (req.url === "/v1/decision") {
        const status = typeof decisionStatus === "function" ? decisionStatus(parsed) : decisionStatus;
        const delay = typeof decisionDelayMs === "function" ? decisionDelayMs(parsed) : decisionDelayMs;
        if (delay) {
          setTimeout(() => (status === 200 ? reply(200, { ok: true, event_id: `e${received.length}` })
            : reply(status, { error: { code: "unavailable", message: "busy" } })), delay);
          return undefined;
        }
        return status === 200 ? reply(200, { ok: true, event_id: `e${received.length}` }) : reply(status, { error: { code: "bad_request", message: "no" } });
      }
      if (req.url === "/v1/check") {
        const risky = /USD/.test(parsed.text);
        return reply(200, {
          scan_id: `s${received.length}`, verdict: risky ? "warn" : "allow", timings_ms: {}, ocr_incomplete: false,
          findings: risky ? [{ category: "pricing", severity: "warn", source: "text", start: parsed.text.indexOf("USD"), end: parsed.text.indexOf("USD") + 3, bbox: null, rule: "price", message: "Price", excerpt: "USD" }] : [],
        });
      }
      return reply(404, { error: { code: "not_found", message: "nope" } });
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, received, close: () => new Promise((resolve) => server.close(resolve)) };
}
