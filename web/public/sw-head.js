// Imported by sw.js (scripts/build-sw.mjs). Next's router sends HEAD requests for pages
// (`/`, `/pair`); workbox's precache answers GET only, so offline they would hit the dead
// network. Online they go to the server as usual; offline they are answered from the precache.
self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'HEAD' || url.origin !== self.location.origin) return;
  event.respondWith(
    fetch(request).catch(async () => {
      const page = url.pathname.endsWith('/') ? `${url.pathname}index.html` : `${url.pathname}.html`;
      for (const candidate of [url.pathname, page]) {
        const hit = await caches.match(new URL(candidate, url.origin).href, { ignoreSearch: true });
        if (hit) return new Response(null, { status: hit.status, headers: hit.headers });
      }
      return Response.error();
    }),
  );
});
