/* Checks a certificate token offline with the page's keys. Texts: the output's data-*. */
/* global document, location, window, crypto, atob, btoa, TextDecoder */
(function () {
  "use strict";
  var run = 0, out, keys = {};

  // Canonical base64url only, as on the server: a changed padding bit fails.
  function bytes(s) {
    var std = /^[\w-]+$/.test(s) && s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4), b = std && atob(std);
    return b && btoa(b) === std ? Uint8Array.from(b, function (c) { return c.charCodeAt(0); }) : null;
  }

  // Shape is the server's job: only signed payloads are shown.
  function parse(t) {
    try {
      var parts = t.split("."), data = bytes(parts[1]), sig = bytes(parts[2]);
      var p = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(data));
      return t.length <= 2000 && parts.length === 3 && parts[0] === "CO1" && sig.length === 64 && p.v === 1 && { p: p, data: data, sig: sig };
    } catch {
      return null;
    }
  }

  function add(parent, tag, text) {
    var el = parent.appendChild(document.createElement(tag));
    el.textContent = text;
    return el;
  }

  // The document's own words (its title, its fields) keep the language it was issued in.
  function show(id, status, p, issuer, lang) {
    if (id !== run) return;
    out.textContent = "";
    out.setAttribute("data-status", status);
    if (!status) return;
    add(out, "p", out.getAttribute("data-" + status));
    if (!p) return;
    var dl = add(out, "dl", "");
    [["ref", p.ref], ["mun", issuer || p.mname], ["proc", p.proc, 1], ["iss", p.iss.slice(0, 10)]].map(function (r) {
      return [out.getAttribute("data-label-" + r[0]) || r[0], r[1], 0, r[2]];
    }).concat(Object.entries(p.fields).map(function (r) { return [r[0], r[1], 1, 1]; })).forEach(function (r) {
      var dt = add(dl, "dt", r[0]), dd = add(dl, "dd", r[1]);
      if (lang && r[2]) dt.lang = lang;
      if (lang && r[3]) dd.lang = lang;
    });
  }

  async function check(t) {
    var id = ++run, r, k, ok;
    t = t.slice(t.indexOf("#") + 1).trim();
    if (!t) return show(id, "");
    if (!(r = parse(t))) return show(id, "invalid");
    if (!(k = {}.hasOwnProperty.call(keys, r.p.kid) && keys[r.p.kid])) return show(id, "unknown");
    try {
      var key = await crypto.subtle.importKey("raw", bytes(k.publicKey), { name: "Ed25519" }, false, ["verify"]);
      ok = await crypto.subtle.verify("Ed25519", key, r.sig, r.data);
    } catch {
      return show(id, "unsupported");
    }
    // Issuer: the trusted key's municipality, not the token's.
    show(id, !ok ? "invalid" : [].concat(k.revoked || []).indexOf(r.p.ref) < 0 ? "valid" : "revoked", ok && r.p, k.municipality, k.lang);
  }

  // Loaded with defer: the DOM is there.
  var input = document.getElementById("f-token");
  if (!(out = document.getElementById("offline-result"))) return;
  try {
    keys = JSON.parse(document.getElementById("trusted-keys").textContent) || {};
  } catch {
    // No keys: all unknown.
  }
  if (input) input.addEventListener("input", function () { check(input.value); });
  window.addEventListener("hashchange", function () { check(location.hash); });
  if (location.hash.length > 1) check(location.hash);
})();
