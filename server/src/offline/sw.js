// The service worker of 平安键 (issue 14), served by `server::offline` at /sw.js (scope /) with
// `Cache-Control: no-cache`. The server fills in the lines marked "filled in". Plain JavaScript.
//
// Kept on the device: the pages that are the same for every reader (home, the legal centre's
// reading pages, the wizard's empty start page, the offline page; never with a query string),
// the client bundle and the stylesheet. Never kept: wizard steps, receipts, tracking, recovery,
// staff pages, server functions, photos, anything posted — a shared phone must not show the
// previous person's data from a cache. Without a connection those show the offline page.
//
// A wizard step posted without a connection (only the steps without names, phone numbers or
// photos) is kept in the "outbox" and sent again by /offline.js when the connection returns:
// the same draft token and the same fields, so the server's answer is the same as if the first
// post had arrived (a step's save is the same save again; a submission is one appeal per token).

const VERSION = "__VERSION__"; // filled in
const PAGES = __PAGES__; // filled in
const ASSETS = __ASSETS__; // filled in
const NO_CACHE_TEXT = "__FALLBACK__"; // filled in

const PAGE_CACHE = "pingan-pages";
const ASSET_CACHE = "pingan-assets-" + VERSION;
const OUTBOX = "pingan-outbox";
const OFFLINE = "/offline";

// A page kept on the device: one of the same-for-everyone pages, without a query string.
function keepable(url) {
  if (url.search !== "") return false;
  const p = url.pathname;
  return PAGES.includes(p) || p.startsWith("/legal/topic/") || p.startsWith("/legal/articles/");
}

// A wizard post that may be kept and sent again: a step without names, phone numbers or photos,
// or the submission (idempotent per draft token).
function keptPost(url) {
  return /^\/form\/appeal\/[A-Za-z0-9_-]{16,}\/(category|what|where|check|submit)$/.test(url.pathname);
}

function fingerprinted(url) {
  return /^\/pkg\/[^/]+\.[0-9a-f]{16}\.(js|wasm|css)$/.test(url.pathname);
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const pages = await caches.open(PAGE_CACHE);
      // The offline page is required; the rest is kept as far as the connection allows.
      await pages.add(OFFLINE);
      await Promise.all(PAGES.filter((p) => p !== OFFLINE).map((p) => pages.add(p).catch(() => undefined)));
      const assets = await caches.open(ASSET_CACHE);
      await Promise.all(ASSETS.map((a) => assets.add(a).catch(() => undefined)));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("pingan-assets-") && name !== ASSET_CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

async function offlinePage() {
  const page = await caches.match(OFFLINE, { cacheName: PAGE_CACHE });
  return page || new Response(NO_CACHE_TEXT, { status: 503, headers: { "content-type": "text/plain; charset=utf-8" } });
}

// Network first; the kept copy only without a connection.
async function page(event, request, url) {
  try {
    const response = await fetch(request);
    if (keepable(url) && response.status === 200 && response.type === "basic") {
      const copy = response.clone();
      event.waitUntil(caches.open(PAGE_CACHE).then((c) => c.put(url.pathname, copy)));
    }
    return response;
  } catch (e) {
    const kept = keepable(url) ? await caches.match(url.pathname, { cacheName: PAGE_CACHE, ignoreVary: true }) : undefined;
    return kept || offlinePage();
  }
}

async function asset(event, request, url) {
  if (fingerprinted(url)) {
    const kept = await caches.match(request, { ignoreVary: true });
    if (kept) return kept;
  }
  try {
    const response = await fetch(request);
    if (response.status === 200 && (fingerprinted(url) || ASSETS.includes(url.pathname))) {
      const copy = response.clone();
      event.waitUntil(caches.open(ASSET_CACHE).then((c) => c.put(url.pathname, copy)));
    }
    return response;
  } catch (e) {
    const kept = await caches.match(url.pathname, { ignoreVary: true });
    if (kept) return kept;
    throw e;
  }
}

async function post(request, url) {
  const copy = request.clone();
  try {
    return await fetch(request);
  } catch (e) {
    const type = copy.headers.get("content-type") || "";
    if (keptPost(url) && type.startsWith("application/x-www-form-urlencoded")) {
      const body = await copy.text();
      const box = await caches.open(OUTBOX);
      // One entry per draft and step: a later post of the same step replaces the earlier one.
      await box.put(url.pathname, new Response(body, { headers: { "content-type": type, "x-kept-at": String(Date.now()) } }));
    }
    return offlinePage();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  // Other origins, the staff workspace and server functions: untouched.
  if (url.origin !== self.location.origin || url.pathname.startsWith("/staff") || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate" && request.method === "POST") {
    // The wizard's posts (some kept, see keptPost) and the directory's filter form: without a
    // connection, the offline page instead of the browser's error.
    if (url.pathname.startsWith("/form/appeal/") || url.pathname === "/form/legal/services") {
      event.respondWith(post(request, url));
    }
    return;
  }
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    event.respondWith(page(event, request, url));
  } else if (url.pathname.startsWith("/pkg/") || ASSETS.includes(url.pathname)) {
    event.respondWith(asset(event, request, url));
  }
});
