/* Cité Ouverte service worker: pages read recently stay readable offline, and a form sent
 * without a connection is kept on the device and sent when the link returns. Every form
 * carries an idempotency key (_idem), so a submission replayed twice is applied once.
 * A form the server refuses on replay (invalid, session ended, expired form, a rule) is not
 * lost: it stays on the device with the reason, until the person corrects and sends it again
 * (offline.js fills the form from it) or discards it. */
/* global self, caches, indexedDB, fetch, Response */
"use strict";

var PAGES = "pages-v1";
var OUTBOX_DB = "cite-outbox";
var OUTBOX = "requests";
var OFFLINE_PAGES = ["/offline", "/offline?queued=1", "/offline?outbox=1"];

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
// The page each form was sent from (address and title), told by the page as it submits
// (offline.js): the Referer is not sent (Referrer-Policy: no-referrer).
var origins = {};

/** The idempotency key a form carries (_idem), read from its stored body. */
function idemOf(body, contentType) {
  return new Response(body, { headers: { "content-type": contentType } })
    .formData()
    .then(function (data) {
      var idem = data.get("_idem");
      return typeof idem === "string" ? idem : "";
    })
    .catch(function () {
      return "";
    });
}

/**
 * What the server's answer to a replayed form means. Only a 2xx, or a redirect that is not to the
 * sign-in page, is a delivery; a 4xx is a refusal the person must see (the entry stays, with the
 * reason); a 5xx, like no answer at all, is for later.
 */
function verdict(response) {
  if (response.redirected) {
    var final = new URL(response.url);
    return final.pathname === "/account/signin" && final.searchParams.has("next") ? { refused: "session" } : { delivered: true };
  }
  if (response.status >= 200 && response.status < 400) return { delivered: true };
  if (response.status >= 500) return { later: true };
  var reasons = { 400: "invalid", 422: "invalid", 401: "session", 403: "forbidden", 409: "conflict", 413: "too_large" };
  return { refused: reasons[response.status] || "refused" };
}

/** The server's page explaining a refusal, kept so that the person can read what it said. */
function answerOf(response) {
  var type = response.headers.get("content-type") || "";
  if (type.indexOf("text/html") !== 0) return Promise.resolve("");
  return response.text().then(
    function (text) {
      return text.slice(0, 200000);
    },
    function () {
      return "";
    },
  );
}

function allEntries() {
  return withStore("readonly", function (store) {
    return store.getAll();
  });
}

/** What waits in the outbox: entries to send, and entries the server refused, with their reasons. */
function outboxState() {
  return (flushing || Promise.resolve())
    .catch(function () {})
    .then(allEntries)
    .then(function (items) {
      var refused = items.filter(function (item) {
        return item.state === "refused";
      });
      return {
        type: "outbox",
        queued: items.length - refused.length,
        refused: refused.map(function (item) {
          return { id: item.id, url: item.url, from: item.from, title: item.title, at: item.at, refusedAt: item.refusedAt, status: item.status, reason: item.reason, answer: item.answer };
        }),
      };
    });
}

function forgetRefused() {
  return allEntries().then(function (items) {
    var refused = items.filter(function (item) {
      return item.state === "refused";
    });
    if (refused.length === 0) return undefined;
    return withStore("readwrite", function (store) {
      refused.forEach(function (item) {
        store.delete(item.id);
      });
    }).then(function () {
      return report({ sent: 0 });
    });
  });
}

function report(extra) {
  return outboxState().then(function (state) {
    state.sent = extra.sent || 0;
    return notifyClients(state);
  });
}

/** Sends what waits in the outbox, oldest first; stops at the first network failure. */
function flush() {
  if (flushing) return flushing;
  var sent = 0;
  var refused = 0;
  flushing = allEntries()
    .then(function (items) {
      return items
        .filter(function (item) {
          return item.state !== "refused";
        })
        .reduce(function (previous, item) {
          return previous.then(function (stop) {
            if (stop) return true;
            return fetch(item.url, { method: "POST", body: item.body, headers: { "content-type": item.contentType }, credentials: "same-origin", redirect: "follow" }).then(
              function (response) {
                var outcome = verdict(response);
                if (outcome.later) return true;
                if (outcome.delivered) {
                  sent += 1;
                  return withStore("readwrite", function (store) {
                    return store.delete(item.id);
                  }).then(function () {
                    return false;
                  });
                }
                refused += 1;
                return answerOf(response).then(function (answer) {
                  item.state = "refused";
                  item.reason = outcome.refused;
                  item.status = response.status;
                  item.answer = answer;
                  item.refusedAt = Date.now();
                  return withStore("readwrite", function (store) {
                    return store.put(item);
                  }).then(function () {
                    return false;
                  });
                });
              },
              function () {
                return true;
              },
            );
          });
        }, Promise.resolve(false));
    })
    .finally(function () {
      flushing = null;
    })
    .then(function () {
      return sent > 0 || refused > 0 ? report({ sent: sent }) : undefined;
    });
  return flushing;
}

/**
 * Keeps a form sent without a connection. A form with the same key already kept (sent twice, or
 * a refused one corrected and sent again during a cut) is replaced: the key is applied once.
 */
function keepForLater(request) {
  var contentType = request.headers.get("content-type") || "application/x-www-form-urlencoded";
  return request.arrayBuffer().then(function (body) {
    return idemOf(body, contentType).then(function (idem) {
      return allEntries().then(function (items) {
        var earlier = items.filter(function (item) {
          return idem && item.idem === idem;
        });
        return withStore("readwrite", function (store) {
          earlier.forEach(function (item) {
            store.delete(item.id);
          });
          var origin = origins[idem] || earlier[0] || {};
          return store.add({ url: request.url, from: origin.from || request.referrer || "", title: origin.title || "", idem: idem, body: body, contentType: contentType, at: Date.now(), state: "queued" });
        });
      });
    });
  });
}

/** A form delivered directly (the person corrected a refused one and sent it): its refused copy goes. */
function settleRefused(request) {
  return allEntries().then(function (items) {
    var refused = items.filter(function (item) {
      return item.state === "refused";
    });
    if (refused.length === 0) return undefined;
    var contentType = request.headers.get("content-type") || "application/x-www-form-urlencoded";
    return request.arrayBuffer().then(function (body) {
      return idemOf(body, contentType).then(function (idem) {
        var settled = refused.filter(function (item) {
          return idem && item.idem === idem;
        });
        if (settled.length === 0) return undefined;
        return withStore("readwrite", function (store) {
          settled.forEach(function (item) {
            store.delete(item.id);
          });
        }).then(function () {
          return report({ sent: 0 });
        });
      });
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
    var copy = request.clone();
    event.respondWith(
      fetch(request).then(
        function (response) {
          // A navigation's redirect reaches the worker opaque: whatever it is, the server took the form.
          if (response.ok || response.type === "opaqueredirect") event.waitUntil(settleRefused(copy).catch(function () {}));
          return response;
        },
        function () {
          return keepForLater(kept).then(function () {
            return caches.match("/offline?queued=1").then(function (page) {
              return page || new Response("", { status: 503 });
            });
          });
        },
      ),
    );
  }
});

/** Answers on the port the page passed along, if it passed one. */
function reply(event, message) {
  if (event.ports && event.ports[0]) event.ports[0].postMessage(message);
}

function updateEntry(id, change) {
  return withStore("readwrite", function (store) {
    var read = store.get(id);
    read.onsuccess = function () {
      if (read.result) change(store, read.result);
    };
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "flush") event.waitUntil(flush().then(refreshOfflinePages, refreshOfflinePages));
  // Signing out of a shared device forgets the pages read, and the refused forms with what the
  // person typed and what the server answered: the next person must not read them, or send them.
  if (data.type === "forget-pages") event.waitUntil(caches.delete(PAGES).then(forgetRefused).then(refreshOfflinePages));
  if (data.type === "outbox-state") {
    event.waitUntil(
      outboxState().then(function (state) {
        reply(event, state);
      }),
    );
  }
  // The page a refused form is opened on asks for what was typed, to fill the form again.
  if (data.type === "outbox-get") {
    event.waitUntil(
      withStore("readonly", function (store) {
        return store.get(Number(data.id));
      }).then(function (item) {
        reply(event, item ? { id: item.id, url: item.url, from: item.from, body: item.body, contentType: item.contentType, reason: item.reason } : null);
      }),
    );
  }
  if (data.type === "outbox-retry") {
    event.waitUntil(
      updateEntry(Number(data.id), function (store, item) {
        item.state = "queued";
        store.put(item);
      })
        .then(function () {
          // A flush under way may have read the outbox before: send once it is done.
          return (flushing || Promise.resolve()).catch(function () {}).then(flush);
        })
        .then(outboxState)
        .then(function (state) {
          reply(event, state);
        }),
    );
  }
  if (data.type === "outbox-discard") {
    event.waitUntil(
      withStore("readwrite", function (store) {
        store.delete(Number(data.id));
      })
        .then(outboxState)
        .then(function (state) {
          reply(event, state);
          return notifyClients(state);
        }),
    );
  }
  // Told as a form leaves its page, so that a kept form can be named and opened again there.
  if (data.type === "form-origin" && typeof data.idem === "string" && data.idem) {
    var origin = { from: String(data.from || ""), title: String(data.title || "").slice(0, 200) };
    if (new URL(origin.from, self.location.href).origin !== self.location.origin) return;
    origins[data.idem] = origin;
    event.waitUntil(
      allEntries().then(function (items) {
        var unnamed = items.filter(function (item) {
          return item.idem === data.idem && !item.from;
        });
        if (unnamed.length === 0) return undefined;
        return withStore("readwrite", function (store) {
          unnamed.forEach(function (item) {
            item.from = origin.from;
            item.title = origin.title;
            store.put(item);
          });
        });
      }),
    );
  }
});

self.addEventListener("sync", function (event) {
  if (event.tag === "outbox") event.waitUntil(flush());
});
