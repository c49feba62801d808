// One socket per open page of a member: events addressed to the person in this territory
// (for now: a new unread message) update the header without reloading.
(function () {
  "use strict";
  var badge = document.getElementById("unread-badge");
  if (!badge || !window.WebSocket) return;
  var scheme = location.protocol === "https:" ? "wss://" : "ws://";
  var socket = new WebSocket(scheme + location.host + "/ws/presence/");
  socket.onmessage = function (event) {
    var data = JSON.parse(event.data);
    if (data.type !== "unread") return;
    if (document.getElementById("messages") && location.pathname.indexOf("/conversation/") > 0) return;
    var count = parseInt(badge.dataset.count || "0", 10) + 1;
    badge.dataset.count = String(count);
    badge.firstChild.textContent = " " + count + " ";
    badge.hidden = false;
  };
})();
