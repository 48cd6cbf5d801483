/* Registers the service worker, asks it to send what waits in the outbox whenever the link
 * returns, and to forget the pages it kept when the person signs out of a shared device. */
/* global navigator, window, document */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/sw.js").catch(function () {});
  function tell(message) {
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) registration.active.postMessage(message);
    });
  }
  tell({ type: "flush" });
  window.addEventListener("online", function () {
    tell({ type: "flush" });
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.getAttribute("action") === "/account/signout") tell({ type: "forget-pages" });
  });
  navigator.serviceWorker.addEventListener("message", function (event) {
    var data = event.data || {};
    var status = document.getElementById("outbox-status");
    if (data.type === "outbox-sent" && status) {
      status.textContent = status.getAttribute("data-sent").replace("{count}", String(data.count));
      status.hidden = false;
    }
  });
})();
