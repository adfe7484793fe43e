// Records a HAR of one page load in headless Chromium over the DevTools protocol, as
// DevTools itself would save it (via `chrome-har`, which turns the protocol's Network and
// Page events into HAR 1.2 with Chromium's `_initiator`, `_priority`, `_resourceType`
// and `_transferSize`). Usage (see scripts/record-har, which starts everything):
//   node --experimental-websocket scripts/record-har.mjs DEVTOOLS_PORT URL > page.har
import { createRequire } from "node:module";

const require = createRequire(process.env.CHROME_HAR_DIR + "/");
const { harFromMessages } = require("chrome-har");

const [port, url] = process.argv.slice(2);
const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
const page = targets.find((t) => t.type === "page");
const ws = new WebSocket(page.webSocketDebuggerUrl);
await new Promise((ok, fail) => {
  ws.onopen = ok;
  ws.onerror = fail;
});
let id = 0;
const pending = new Map();
const messages = [];
let loaded = null;
const load = new Promise((ok) => (loaded = ok));
ws.onmessage = (m) => {
  const msg = JSON.parse(m.data);
  if (msg.id && pending.has(msg.id)) {
    pending.get(msg.id)(msg);
    pending.delete(msg.id);
    return;
  }
  if (msg.method && (msg.method.startsWith("Network.") || msg.method.startsWith("Page."))) {
    messages.push({ method: msg.method, params: msg.params });
  }
  if (msg.method === "Page.loadEventFired") loaded();
};
const send = (method, params = {}) =>
  new Promise((ok) => {
    id += 1;
    pending.set(id, ok);
    ws.send(JSON.stringify({ id, method, params }));
  });
await send("Page.enable");
await send("Network.enable");
await send("Network.setCacheDisabled", { cacheDisabled: true });
await send("Page.navigate", { url });
await load;
// Requests made after the load event (the feed's image): give them a moment.
await new Promise((ok) => setTimeout(ok, 1500));
ws.close();
const har = harFromMessages(messages, { includeTextFromResponseBody: false });
process.stdout.write(JSON.stringify(har, null, 1) + "\n");
