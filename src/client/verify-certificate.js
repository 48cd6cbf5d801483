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

  // Base32 without padding, canonical only (unused bits zero), as on the server.
  function b32(s) {
    var out = [], buf = 0, bits = 0, i;
    if (!/^[A-Z2-7]+$/.test(s)) return null;
    for (i = 0; i < s.length; i++) {
      buf = ((buf << 5) | "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".indexOf(s[i])) & 0xffff;
      bits += 5;
      if (bits >= 8) out.push((buf >>> (bits -= 8)) & 255);
    }
    return bits >= 5 || buf & ((1 << bits) - 1) ? null : Uint8Array.from(out);
  }

  // The little of CBOR a compact payload uses: unsigned integers, byte and text strings, arrays.
  function cbor(b) {
    var i = 0;
    function item() {
      var x = b[i++], t = x >> 5, v = x & 31, k, a, s;
      if (x === undefined || v > 27) throw 0;
      if (v >= 24) for (k = 1 << (v - 24), v = 0; k--; ) v = v * 256 + b[i++];
      if (t === 0) return v;
      if (t === 4) {
        for (a = []; v--; ) a.push(item());
        return a;
      }
      if ((t !== 2 && t !== 3) || (s = b.subarray(i, (i += v))).length !== v) throw 0;
      return t === 2 ? s : new TextDecoder("utf-8", { fatal: true }).decode(s);
    }
    var r = item();
    if (i !== b.length) throw 0;
    return r;
  }

  // CO2: [kid, number, issued (s), title, [label, value…]]; CO1: the JSON of the first tokens.
  // Shape is the server's job: only signed payloads are shown.
  function parse(t) {
    try {
      var parts = t.split("."), data, sig, p, a, i;
      if (t.length > 2000 || parts.length !== 3) return null;
      if (parts[0] === "CO2") {
        data = b32(parts[1]);
        sig = b32(parts[2]);
        a = cbor(data);
        p = { ref: a[1], proc: a[3], iss: new Date(a[2] * 1000).toISOString(), fields: {} };
        p.kid = Array.from(a[0], function (n) { return (n < 16 ? "0" : "") + n.toString(16); }).join("");
        for (i = 0; i < a[4].length; i += 2) p.fields[a[4][i]] = a[4][i + 1];
      } else {
        data = bytes(parts[1]);
        sig = bytes(parts[2]);
        p = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(data));
        if (parts[0] !== "CO1" || p.v !== 1) return null;
      }
      return sig.length === 64 && typeof p.ref === "string" && { p: p, data: data, sig: sig };
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
