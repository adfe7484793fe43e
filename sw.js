// protoviz's service worker: after one visit the app works offline (lecture halls have
// bad Wi-Fi). On install it caches the page and every file the page names (the hashed
// app script and WebAssembly, the stylesheet) plus the import/export worker's files (the engine's worker runs the page's own module); after
// that every request of the site goes to the network first and falls back to the cache,
// so a new version is seen as soon as the network has it. Everything is relative to the
// worker's scope, so the site works under any sub-path (GitHub Pages' /protoviz/).
const CACHE = "protoviz-v1";
const WORKER_FILES = [
  "export-worker.js",
  "export-worker_bg.wasm",
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const scope = self.registration.scope;
      const cache = await caches.open(CACHE);
      const page = await fetch(scope, { cache: "no-cache" });
      const html = await page.clone().text();
      await cache.put(scope, page);
      // Quoted or not: the release build's HTML is minified (`href=./style-….css`).
      const named = [...html.matchAll(/(?:href|src)=(?:"([^"#]+)"|([^\s>"#]+))/g)]
        .map((m) => new URL(m[1] ?? m[2], scope).href)
        .filter((u) => u.startsWith(scope));
      const all = new Set([...named, ...WORKER_FILES.map((f) => new URL(f, scope).href)]);
      await cache.addAll([...all]);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key !== CACHE) await caches.delete(key);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const scope = self.registration.scope;
  if (request.method !== "GET" || !request.url.startsWith(scope)) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      try {
        const response = await fetch(request);
        if (response.ok) await cache.put(request, response.clone());
        return response;
      } catch (offline) {
        const hit =
          (await cache.match(request, { ignoreSearch: true })) ||
          (request.mode === "navigate" ? await cache.match(scope) : undefined);
        if (hit) return hit;
        throw offline;
      }
    })(),
  );
});
