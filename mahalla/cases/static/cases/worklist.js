/* The inspector's worklist without a connection.

   - The page, the person cards it links to and the static files are kept on the device (Cache API, via the
     service worker /cases/sw.js), so the last worklist and the cards are readable offline.
   - An edit (a check-in reported, a conclusion executed, a household round done) is put in a queue in localStorage with the version
     of the record it was made on, and sent at once when online, or when the connection returns.
   - The server refuses an edit made on an older version (409) and returns its own value: the conflict is
     shown with both values and the person chooses; nothing is overwritten silently.
   - Signing out clears what was kept on the device. */
(function () {
  "use strict";
  const root = document.getElementById("worklist");
  if (!root) return;
  const CACHE = "mahalla-cases-v1";
  const mahalla = root.dataset.mahalla;
  const QUEUE_KEY = "mahalla.cases.queue." + mahalla;
  const CONFLICT_KEY = "mahalla.cases.conflicts." + mahalla;
  const SAVED_KEY = "mahalla.cases.saved." + mahalla;
  const csrf = root.dataset.csrf;

  const read = (key) => { try { return JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { return []; } };
  const write = (key, value) => localStorage.setItem(key, JSON.stringify(value));

  function showState() {
    const badge = document.getElementById("connection-state");
    badge.textContent = navigator.onLine ? badge.dataset.online : badge.dataset.offline;
    badge.className = "badge " + (navigator.onLine ? "text-bg-success" : "text-bg-warning");
    const queue = read(QUEUE_KEY);
    const box = document.getElementById("queue-state");
    box.classList.toggle("d-none", queue.length === 0);
    box.textContent = queue.length + " " + box.dataset.label;
    box.dataset.count = String(queue.length);
    queue.forEach((edit) => {
      const item = document.querySelector(`.worklist-item[data-kind="${edit.kind}"][data-id="${edit.id}"]`);
      if (item) item.classList.add("queued");
    });
    const saved = localStorage.getItem(SAVED_KEY);
    const savedAt = document.getElementById("saved-at");
    if (saved) savedAt.textContent = savedAt.dataset.label + " " + new Date(saved).toLocaleString(document.documentElement.lang || undefined);  // the page's language, as the server's dates
    renderConflicts();
  }

  function renderConflicts() {
    const conflicts = read(CONFLICT_KEY);
    const list = document.getElementById("conflict-list");
    const template = document.getElementById("conflict-template");
    document.getElementById("conflicts").classList.toggle("d-none", conflicts.length === 0);
    list.replaceChildren();
    conflicts.forEach((conflict, index) => {
      const node = template.content.firstElementChild.cloneNode(true);
      node.querySelector(".conflict-label").textContent = conflict.label;
      node.querySelector(".conflict-mine").textContent = conflict.body.note || conflict.body.outcome || "";
      node.querySelector(".conflict-server").textContent = serverText(conflict.server);
      node.querySelector(".conflict-keep-mine").addEventListener("click", () => {
        const all = read(CONFLICT_KEY);
        const [chosen] = all.splice(index, 1);
        write(CONFLICT_KEY, all);
        chosen.body.version = chosen.server.version;  // a deliberate overwrite, on the version just seen
        enqueue(chosen);
      });
      node.querySelector(".conflict-take-server").addEventListener("click", () => {
        const all = read(CONFLICT_KEY);
        const [chosen] = all.splice(index, 1);
        write(CONFLICT_KEY, all);
        const item = document.querySelector(`.worklist-item[data-kind="${chosen.kind}"][data-id="${chosen.id}"]`);
        if (item) {
          item.dataset.version = String(chosen.server.version);
          item.querySelector("input[name=note]").value = serverText(chosen.server);
        }
        showState();
      });
      list.appendChild(node);
    });
  }

  // The text field of a record as the server returned it with a conflict (a check-in's note, a
  // conclusion's execution note, a household round's outcome).
  const serverText = (server) => server.note || server.execution_note || server.outcome || "";

  function enqueue(edit) {
    const queue = read(QUEUE_KEY).filter((e) => !(e.kind === edit.kind && e.id === edit.id));
    queue.push(edit);
    write(QUEUE_KEY, queue);
    showState();
    flush();
  }

  let flushing = false;
  async function flush() {
    if (flushing || !navigator.onLine) return;
    flushing = true;
    try {
      let queue = read(QUEUE_KEY);
      while (queue.length) {
        const edit = queue[0];
        let response;
        try {
          response = await fetch(edit.url, {
            method: "POST",
            credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
            body: JSON.stringify(edit.body),
          });
        } catch (e) {
          break;  // still offline: keep the queue
        }
        const data = await response.json().catch(() => ({}));
        if (response.status === 409) {
          const conflicts = read(CONFLICT_KEY);
          conflicts.push({ ...edit, server: (data.extra || {}).server || {} });
          write(CONFLICT_KEY, conflicts);
        } else if (response.ok) {
          const item = document.querySelector(`.worklist-item[data-kind="${edit.kind}"][data-id="${edit.id}"]`);
          if (item) {
            item.dataset.version = String(data.version);
            item.classList.remove("queued");
            item.classList.add("sent");
            const status = item.querySelector(".item-status");
            if (status) { status.className = "badge text-bg-success item-status"; status.textContent = data.status; }
          }
        } else {
          const errors = document.getElementById("errors");
          errors.classList.remove("d-none");
          errors.textContent = edit.label + ": " + (data.message || response.status) + (data.extra && data.extra.field ? " (" + data.extra.field + ")" : "");
        }
        queue = read(QUEUE_KEY).slice(1);
        write(QUEUE_KEY, queue);
      }
    } finally {
      flushing = false;
      showState();
    }
  }

  document.querySelectorAll("form.offline-edit").forEach((form) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const item = form.closest(".worklist-item");
      const note = form.querySelector("input[name=note]").value;
      const now = new Date();
      const body = { version: Number(item.dataset.version) };
      body[form.dataset.field] = note;
      const today = now.toISOString().slice(0, 10);
      if (item.dataset.kind === "checkin") body.reported_at = now.toISOString();
      else if (item.dataset.kind === "round") body.done_on = today;
      else body.executed_on = today;
      const label = item.querySelector("a, span").textContent.trim();
      enqueue({ kind: item.dataset.kind, id: item.dataset.id, url: item.dataset.url, body: body, label: label });
    });
  });

  async function keepForOffline() {
    if (!("caches" in window) || !navigator.onLine) return;
    const cache = await caches.open(CACHE);
    const urls = new Set([location.pathname, "/cases/offline/"]);
    document.querySelectorAll("#worklist a[href^='/cases/persons/']").forEach((a) => urls.add(a.getAttribute("href")));
    document.querySelectorAll("link[rel=stylesheet], script[src]").forEach((el) => {
      const src = el.getAttribute("href") || el.getAttribute("src");
      if (src && src.startsWith("/static/")) urls.add(src);
    });
    await Promise.all([...urls].map((url) => fetch(url, { credentials: "same-origin" }).then((response) => {
      if (response.ok && !response.redirected) return cache.put(url, response);
      return null;
    }).catch(() => null)));
    localStorage.setItem(SAVED_KEY, new Date().toISOString());
    root.dataset.saved = "1";
    showState();
  }

  document.querySelectorAll("form[action*='logout']").forEach((form) => form.addEventListener("submit", () => {
    if ("caches" in window) caches.delete(CACHE);
    Object.keys(localStorage).filter((k) => k.startsWith("mahalla.cases.")).forEach((k) => localStorage.removeItem(k));
  }));

  window.addEventListener("online", () => { showState(); flush(); });
  window.addEventListener("offline", showState);
  showState();
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(root.dataset.sw, { scope: "/cases/" }).catch(() => null);
  }
  keepForOffline().then(flush);
})();
