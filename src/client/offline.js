/* Registers the service worker, asks it to send what waits in the outbox whenever the link
 * returns, and to forget the pages it kept when the person signs out of a shared device.
 * A form the server refused when it was replayed stays on the device: every page says so, the
 * outbox page (/offline?outbox=1) lists each with the reason, and opening one fills its form
 * again with what was typed, to correct and send. Texts come from the page, in its language. */
/* global navigator, window, document, location, sessionStorage, MessageChannel, Response, DataTransfer, DOMParser, CSS */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/sw.js").catch(function () {});
  function tell(message) {
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) registration.active.postMessage(message);
    });
  }
  /** Asks the worker and waits for its answer. */
  function ask(message) {
    return navigator.serviceWorker.ready.then(function (registration) {
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function (event) {
          resolve(event.data);
        };
        registration.active.postMessage(message, [channel.port2]);
      });
    });
  }
  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole;
    });
  }
  function element(tag, text) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    return node;
  }

  /** The banner every page has: forms sent, and forms refused with a link to see why. */
  function showStatus(state) {
    var status = document.getElementById("outbox-status");
    if (!status || !state) return;
    var refused = state.refused ? state.refused.length : 0;
    var parts = [];
    if (state.sent > 0) parts.push(fill(status.getAttribute("data-sent"), { count: String(state.sent) }));
    if (refused > 0) parts.push(fill(status.getAttribute("data-refused"), { count: String(refused) }));
    if (parts.length === 0) {
      if (status.getAttribute("data-refused-shown")) status.hidden = true;
      return;
    }
    status.textContent = parts.join(" ");
    if (refused > 0 && !document.getElementById("outbox")) {
      var link = element("a", status.getAttribute("data-refused-link"));
      link.href = "/offline?outbox=1";
      status.appendChild(document.createTextNode(" "));
      status.appendChild(link);
    }
    status.className = refused > 0 ? "flash error" : "flash";
    if (refused > 0) status.setAttribute("data-refused-shown", "1");
    status.hidden = false;
  }

  var REASONS = { invalid: "reasonInvalid", session: "reasonSession", forbidden: "reasonForbidden", conflict: "reasonConflict", too_large: "reasonTooLarge" };

  /** What the server's own page said: the list of errors on the form, or the error page's message. */
  function serverSaid(html) {
    if (!html) return "";
    var page = new DOMParser().parseFromString(html, "text/html");
    var summary = page.getElementById("error-summary");
    var parts = summary
      ? Array.prototype.map.call(summary.querySelectorAll("strong, li a"), function (node) {
          // Each error names its field by the field's label, as the form itself shows it.
          var id = node.hash ? CSS.escape(decodeURIComponent(node.hash.slice(1))) : "";
          var label = id ? page.querySelector('label[for="' + id + '"], fieldset#' + id + " > legend") : null;
          var name = label && label.firstChild ? label.firstChild.textContent.trim() : "";
          return name ? name + " — " + node.textContent : node.textContent;
        })
      : [(page.querySelector("main h1 + p") || { textContent: "" }).textContent];
    // Ordinary white space only: \s would also flatten the no-break spaces of French typography.
    return parts.join(" ").replace(/[ \t\r\n\f]+/g, " ").trim().slice(0, 400);
  }

  /** The outbox page: each refused form, why, and what the person can do with it. */
  function showOutbox(state) {
    var box = document.getElementById("outbox");
    if (!box || !state) return;
    var texts = box.dataset;
    var list = document.getElementById("outbox-list");
    var waiting = document.getElementById("outbox-waiting");
    document.getElementById("outbox-intro").hidden = state.refused.length === 0;
    document.getElementById("outbox-empty").hidden = state.refused.length > 0;
    waiting.textContent = fill(waiting.getAttribute("data-text"), { count: String(state.queued) });
    waiting.hidden = state.queued === 0;
    list.textContent = "";
    state.refused.forEach(function (item) {
      var entry = element("li");
      var when = new Date(item.at).toLocaleString(document.documentElement.lang, { dateStyle: "medium", timeStyle: "short" });
      entry.appendChild(element("h2", fill(texts.item, { title: item.title || texts.untitled, date: when })));
      var reason = texts[REASONS[item.reason] || "reasonRefused"];
      entry.appendChild(element("p", reason));
      // A redirect to sign in has no message of its own; an error page or a form with errors has.
      var said = item.status >= 400 ? serverSaid(item.answer) : "";
      if (said) entry.appendChild(element("p", fill(texts.serverSaid, { message: said })));
      var actions = element("p");
      actions.className = "actions";
      if (item.from) {
        var open = element("a", texts.open);
        open.href = item.from.split("#")[0] + "#outbox-" + item.id;
        open.addEventListener("click", function () {
          sessionStorage.setItem("outbox-opened-" + item.id, fill(texts.opened, { reason: reason }));
        });
        actions.appendChild(open);
        actions.appendChild(document.createTextNode(" "));
      }
      [
        ["outbox-retry", texts.retry],
        ["outbox-discard", texts.discard],
      ].forEach(function (action) {
        var button = element("button", action[1]);
        button.type = "button";
        button.className = "secondary";
        button.addEventListener("click", function () {
          button.disabled = true;
          ask({ type: action[0], id: item.id }).then(function (next) {
            showOutbox(next);
            showStatus(next);
            document.getElementById("main").focus();
          });
        });
        actions.appendChild(button);
        actions.appendChild(document.createTextNode(" "));
      });
      entry.appendChild(actions);
      list.appendChild(entry);
    });
  }

  /** The form of this page that sends to `url`, by its action or by a button's formaction. */
  function formFor(url) {
    for (var i = 0; i < document.forms.length; i++) {
      var form = document.forms[i];
      if (form.action === url) return form;
      var buttons = form.querySelectorAll("[formaction]");
      for (var j = 0; j < buttons.length; j++) if (buttons[j].formAction === url) return form;
    }
    return null;
  }

  /** Puts back what was sent: texts in order, choices, files. The page's own CSRF token stays. */
  function refill(form, data) {
    var sent = {};
    data.forEach(function (value, name) {
      (sent[name] = sent[name] || []).push(value);
    });
    var used = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      var name = field.name;
      if (!name || name === "_csrf" || field.disabled || /^(submit|button|reset)$/.test(field.type)) return;
      var values = sent[name] || [];
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = values.indexOf(field.value) !== -1;
      } else if (field.type === "file") {
        var files = new DataTransfer();
        values.forEach(function (file) {
          if (typeof file !== "string" && file.name) files.items.add(file);
        });
        if (files.files.length > 0) field.files = files.files;
      } else if (field.tagName === "SELECT" && field.multiple) {
        Array.prototype.forEach.call(field.options, function (option) {
          option.selected = values.indexOf(option.value) !== -1;
        });
      } else {
        var index = used[name] || 0;
        if (typeof values[index] === "string") field.value = values[index];
        used[name] = index + 1;
      }
    });
  }

  /** Opened from the outbox page (#outbox-{id}): the refused form, filled again, with why. */
  function reopen() {
    var match = /^#outbox-(\d+)$/.exec(location.hash);
    if (!match) return;
    var id = Number(match[1]);
    ask({ type: "outbox-get", id: id }).then(function (item) {
      var form = item && formFor(item.url);
      if (!form) return undefined;
      return new Response(item.body, { headers: { "content-type": item.contentType } }).formData().then(function (data) {
        refill(form, data);
        var text = sessionStorage.getItem("outbox-opened-" + id);
        sessionStorage.removeItem("outbox-opened-" + id);
        if (!text) return;
        var notice = element("p", text);
        notice.className = "flash error";
        notice.id = "outbox-opened";
        notice.setAttribute("role", "alert");
        notice.tabIndex = -1;
        form.parentNode.insertBefore(notice, form);
        notice.focus();
      });
    });
  }

  tell({ type: "flush" });
  window.addEventListener("online", function () {
    tell({ type: "flush" });
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.elements) return;
    if (form.getAttribute("action") === "/account/signout") tell({ type: "forget-pages" });
    // Where the form was sent from, so that a kept one can be named and opened there again.
    var idem = form.elements.namedItem("_idem");
    if (idem && idem.value) tell({ type: "form-origin", idem: idem.value, from: location.href.split("#")[0], title: document.title });
  });
  navigator.serviceWorker.addEventListener("message", function (event) {
    var data = event.data || {};
    if (data.type === "outbox") {
      showStatus(data);
      showOutbox(data);
    }
  });
  ask({ type: "outbox-state" }).then(function (state) {
    showStatus(state);
    showOutbox(state);
    reopen();
  });
})();
