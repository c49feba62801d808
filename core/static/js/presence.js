// One socket per open page of a member: events addressed to the person in this territory
// (a new unread message, a notification) update the header without reloading — « My trips »
// counts the booking requests to answer and the unread messages about bookings; a
// notification's text is also announced in a polite live region. When the socket cannot be
// held (the live service is down), the page says so and tries again, waiting longer each time.
(function () {
  "use strict";
  if (!window.WebSocket) return;
  var unread = document.getElementById("unread-badge");
  var bell = document.getElementById("notification-badge");
  var menuDot = document.getElementById("menu-unread"); // unread messages, on the closed menu
  var notice = document.getElementById("live-notice");

  function show(badge, count) {
    if (!badge) return;
    badge.dataset.count = String(count);
    badge.firstChild.textContent = " " + count + " ";
    badge.hidden = count === 0;
  }

  // One more thing waiting on « My trips » (a request to answer, a message about a booking).
  function waiting() {
    if (!unread) return;
    show(unread, parseInt(unread.dataset.count || "0", 10) + 1);
    if (menuDot) menuDot.hidden = false;
  }

  var unavailable = document.getElementById("live-unavailable");
  var scheme = location.protocol === "https:" ? "wss://" : "ws://";
  var wait = 5000;

  function receive(event) {
    var data = JSON.parse(event.data);
    if (data.type === "hello") {
      wait = 5000;
      if (unavailable) unavailable.hidden = true;
    } else if (data.type === "unread") {
      if (document.getElementById("messages") && location.pathname.indexOf("/conversation/") > 0) return;
      if (data.trip) waiting(); // a solidarity conversation is not on « My trips »
      if (menuDot) menuDot.hidden = false;
    } else if (data.type === "notification") {
      show(bell, data.unread);
      if (data.kind === "booking_requested") waiting();
      if (notice) {
        notice.textContent = "";
        var link = document.createElement(data.link ? "a" : "span");
        link.textContent = data.text;
        if (data.link) link.href = data.link;
        notice.appendChild(link);
      }
    }
  }

  function connect() {
    var socket = new WebSocket(scheme + location.host + "/ws/presence/");
    socket.onmessage = receive;
    socket.onclose = function (event) {
      if (event.code >= 4400 && event.code < 4500) return; // refused (docs/realtime.md): final
      if (unavailable) unavailable.hidden = false;
      setTimeout(connect, wait);
      wait = Math.min(wait * 2, 60000);
    };
  }
  connect();
})();
