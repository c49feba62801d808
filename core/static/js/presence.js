// One socket per open page of a member: events addressed to the person in this territory
// (a new unread message, a notification) update the header without reloading; a
// notification's text is also announced in a polite live region.
(function () {
  "use strict";
  if (!window.WebSocket) return;
  var unread = document.getElementById("unread-badge");
  var bell = document.getElementById("notification-badge");
  var notice = document.getElementById("live-notice");

  function show(badge, count) {
    if (!badge) return;
    badge.dataset.count = String(count);
    badge.firstChild.textContent = " " + count + " ";
    badge.hidden = count === 0;
  }

  var scheme = location.protocol === "https:" ? "wss://" : "ws://";
  var socket = new WebSocket(scheme + location.host + "/ws/presence/");
  socket.onmessage = function (event) {
    var data = JSON.parse(event.data);
    if (data.type === "unread") {
      if (document.getElementById("messages") && location.pathname.indexOf("/conversation/") > 0) return;
      show(unread, parseInt(unread.dataset.count || "0", 10) + 1);
    } else if (data.type === "notification") {
      show(bell, data.unread);
      if (notice) {
        notice.textContent = "";
        var link = document.createElement(data.link ? "a" : "span");
        link.textContent = data.text;
        if (data.link) link.href = data.link;
        notice.appendChild(link);
      }
    }
  };
})();
