// Offline tolerance (issue 14), plain JavaScript loaded only by pages that already load script
// (pages with islands, and the offline page). Registers the service worker (/sw.js), keeps the
// device's offline page in the reader's language, and sends wizard steps kept without a
// connection (the "outbox", see /sw.js) when the connection returns. Without service workers or
// caches it does nothing and every page works as before.

const PAGE_CACHE = "pingan-pages";
const OUTBOX = "pingan-outbox";
const KEEP_MS = 24 * 60 * 60 * 1000;

const byId = (id) => document.getElementById(id);
const show = (id, on = true) => {
  const el = byId(id);
  if (el) el.hidden = !on;
};

// The outbox's entries, oldest first; entries older than a day are dropped unsent.
async function waiting() {
  const box = await caches.open(OUTBOX);
  const out = [];
  for (const request of await box.keys()) {
    const kept = await box.match(request);
    const at = Number((kept && kept.headers.get("x-kept-at")) || 0);
    if (!kept || Date.now() - at > KEEP_MS) {
      await box.delete(request);
    } else {
      out.push({ request, kept, at });
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

const stepOf = (path) => {
  const last = path.split("/").pop();
  return last === "submit" ? "check" : last;
};

// Sends every waiting post, each once: an entry leaves the outbox as soon as the server has
// answered it (whatever the answer), and stays only when there is still no connection. One
// page at a time (Web Locks where there are).
async function sendAll() {
  const items = await waiting();
  if (items.length === 0) return null;
  const box = await caches.open(OUTBOX);
  let next = null;
  for (const { request, kept } of items) {
    const body = await kept.text();
    let answer;
    try {
      answer = await fetch(new URL(request.url).pathname, {
        method: "POST",
        body,
        headers: { "content-type": kept.headers.get("content-type") },
        credentials: "same-origin",
      });
    } catch (e) {
      return { failed: true };
    }
    await box.delete(request);
    // Where the server sent the step (the next one, or the same with its errors); an answer
    // without a redirect (an expired draft) is shown by the step's own page.
    const path = new URL(request.url).pathname;
    const draft = path.split("/")[3];
    next = { path, url: answer.redirected ? answer.url : `/appeal/${draft}/${stepOf(path)}` };
  }
  return next;
}

function locked(task) {
  return navigator.locks ? navigator.locks.request("pingan-outbox", task) : task();
}

// The offline page: what is waiting, whether the post that brought the reader here was kept.
async function offlinePage() {
  const render = async () => {
    const items = await waiting();
    for (const li of document.querySelectorAll("#offline-waiting li[data-step]")) li.hidden = true;
    for (const { request } of items) {
      const li = document.querySelector(`#offline-waiting li[data-step="${stepOf(new URL(request.url).pathname)}"]`);
      if (li) li.hidden = false;
    }
    show("offline-waiting", items.length > 0);
    const here = location.pathname;
    const keptHere = items.some(({ request }) => new URL(request.url).pathname === here);
    show("offline-kept", keptHere);
    show("offline-not-kept", !keptHere && here.startsWith("/form/appeal/"));
    return items.length;
  };
  const send = () =>
    locked(async () => {
      if ((await render()) === 0) return;
      show("offline-send", false);
      show("offline-sending");
      const done = await sendAll();
      show("offline-sending", false);
      if (done && done.failed) {
        show("offline-send");
        await render();
      } else if (done) {
        show("offline-sent");
        location.replace(done.url);
      }
    });
  const button = byId("offline-send");
  if (button) button.addEventListener("click", send);
  window.addEventListener("online", send);
  if ((await render()) > 0) {
    if (navigator.onLine) await send();
    else show("offline-send");
  }
}

// Any other page: keep the device's offline page in this page's language, and send what is
// waiting once online (going on to the next step when this page belongs to the same draft).
async function otherPage() {
  const send = () =>
    locked(async () => {
      const done = await sendAll();
      if (done && !done.failed) {
        const draft = done.path.split("/")[3];
        if (draft && location.pathname.startsWith(`/appeal/${draft}/`)) location.replace(done.url);
      }
    });
  window.addEventListener("online", send);
  if (!navigator.onLine) return;
  const lang = document.documentElement.lang;
  const pages = await caches.open(PAGE_CACHE);
  const copy = await pages.match("/offline");
  if (copy && copy.headers.get("content-language") !== lang) await pages.add("/offline").catch(() => undefined);
  await send();
}

if ("serviceWorker" in navigator && "caches" in window) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => undefined);
  (byId("offline") ? offlinePage() : otherPage()).catch(() => undefined);
}
