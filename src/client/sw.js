/* Cité Ouverte service worker: pages read recently stay readable offline, and a form sent
 * without a connection is kept on the device and sent when the link returns. Every form
 * carries an idempotency key (_idem), so a submission replayed twice is applied once. */
/* global self, caches, indexedDB, fetch, Response */
"use strict";

var PAGES = "pages-v1";
var OUTBOX_DB = "cite-outbox";
var OUTBOX = "requests";
var OFFLINE_PAGES = ["/offline", "/offline?queued=1"];

function openOutbox() {
  return new Promise(function (resolve, reject) {
    var request = indexedDB.open(OUTBOX_DB, 1);
    request.onupgradeneeded = function () {
      request.result.createObjectStore(OUTBOX, { keyPath: "id", autoIncrement: true });
    };
    request.onsuccess = function () {
      resolve(request.result);
    };
    request.onerror = function () {
      reject(request.error);
    };
  });
}

function withStore(mode, work) {
  return openOutbox().then(function (db) {
    return new Promise(function (resolve, reject) {
      var transaction = db.transaction(OUTBOX, mode);
      var result = work(transaction.objectStore(OUTBOX));
      transaction.oncomplete = function () {
        resolve(result && "result" in result ? result.result : undefined);
      };
      transaction.onerror = function () {
        reject(transaction.error);
      };
    });
  });
}

function refreshOfflinePages() {
  return caches.open(PAGES).then(function (cache) {
    return cache.addAll(OFFLINE_PAGES);
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(refreshOfflinePages().then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

function notifyClients(message) {
  return self.clients.matchAll({ type: "window" }).then(function (clients) {
    clients.forEach(function (client) {
      client.postMessage(message);
    });
  });
}

var flushing = null;

/** Sends what waits in the outbox, oldest first; stops at the first network failure. */
function flush() {
  if (flushing) return flushing;
  flushing = withStore("readonly", function (store) {
    return store.getAll();
  })
    .then(function (items) {
      var sent = 0;
      return items
        .reduce(function (previous, item) {
          return previous.then(function (stop) {
            if (stop) return true;
            return fetch(item.url, { method: "POST", body: item.body, headers: { "content-type": item.contentType }, credentials: "same-origin", redirect: "manual" }).then(
              function () {
                sent += 1;
                return withStore("readwrite", function (store) {
                  return store.delete(item.id);
                }).then(function () {
                  return false;
                });
              },
              function () {
                return true;
              },
            );
          });
        }, Promise.resolve(false))
        .then(function () {
          return sent > 0 ? notifyClients({ type: "outbox-sent", count: sent }) : undefined;
        });
    })
    .finally(function () {
      flushing = null;
    });
  return flushing;
}

function keepForLater(request) {
  var contentType = request.headers.get("content-type") || "application/x-www-form-urlencoded";
  return request.arrayBuffer().then(function (body) {
    return withStore("readwrite", function (store) {
      return store.add({ url: request.url, body: body, contentType: contentType, at: Date.now() });
    });
  });
}

function cacheable(response) {
  var type = response.headers.get("content-type") || "";
  var control = response.headers.get("cache-control") || "";
  return response.ok && response.type === "basic" && type.indexOf("text/html") === 0 && control.indexOf("no-store") === -1;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (new URL(request.url).origin !== self.location.origin || request.mode !== "navigate") return;
  if (request.method === "GET") {
    event.respondWith(
      fetch(request).then(
        function (response) {
          if (cacheable(response)) {
            var copy = response.clone();
            caches.open(PAGES).then(function (cache) {
              return cache.put(request, copy);
            });
          }
          flush();
          return response;
        },
        function () {
          return caches.match(request).then(function (cached) {
            return cached || caches.match("/offline");
          });
        },
      ),
    );
    return;
  }
  if (request.method === "POST") {
    var kept = request.clone();
    event.respondWith(
      fetch(request).catch(function () {
        return keepForLater(kept).then(function () {
          return caches.match("/offline?queued=1").then(function (page) {
            return page || new Response("", { status: 503 });
          });
        });
      }),
    );
  }
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "flush") event.waitUntil(flush().then(refreshOfflinePages, refreshOfflinePages));
  if (data.type === "forget-pages") event.waitUntil(caches.delete(PAGES).then(refreshOfflinePages));
});

self.addEventListener("sync", function (event) {
  if (event.tag === "outbox") event.waitUntil(flush());
});
