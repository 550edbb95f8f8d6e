/* The worklist's service worker (served at /cases/sw.js, scope /cases/). Pages of casework are fetched from
   the network first and kept in the cache; without a connection the kept copy is shown. Static files are
   served from the cache first. Nothing is fetched from outside the server. Writes are never handled here:
   the page queues them itself (worklist.js) and sends them when the connection returns. */
const CACHE = "mahalla-cases-v1";
// Django's pages vary on the cookie and the language; the copy kept for offline use is the signed-in user's
// own (it is dropped at sign-out), so the Vary headers are ignored when matching.

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(
      caches.open(CACHE).then((cache) =>
        cache.match(request, { ignoreVary: true }).then((hit) => hit || fetch(request).then((response) => {
          if (response.ok) cache.put(request, response.clone());
          return response;
        }))
      )
    );
    return;
  }
  if (url.pathname.startsWith("/cases/") || url.pathname.startsWith("/api/cases/worklist/")) {
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok && !response.redirected) {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put(request, copy));
          }
          return response;
        })
        .catch(() =>
          caches.open(CACHE).then((cache) =>
            cache.match(request, { ignoreVary: true }).then((hit) => hit || cache.match("/cases/offline/", { ignoreVary: true }))
          )
        )
    );
  }
});
