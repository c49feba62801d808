// Live conversation: messages arrive over the websocket and are sent through it; without
// JavaScript (or when the socket is closed) the form posts as usual. Message text arrives
// HTML-escaped by the server. Each message shown is also announced (js/announce.js): « sent » for
// one's own, the author and text for the others'.
(function () {
  "use strict";
  var form = document.getElementById("message-form");
  var list = document.getElementById("messages");
  if (!form || !list || !window.WebSocket) return;
  var status = document.getElementById("message-status");
  var body = document.getElementById("message-body");
  var scheme = location.protocol === "https:" ? "wss://" : "ws://";
  var me = parseInt(form.dataset.me, 10);
  var socket = new WebSocket(scheme + location.host + form.dataset.socket);
  var open = false;
  socket.onopen = function () { open = true; };
  socket.onclose = function () { open = false; };
  socket.onmessage = function (event) {
    var data = JSON.parse(event.data);
    if (data.type === "error") { status.textContent = data.error; return; }
    if (data.type !== "message") return;
    var empty = list.querySelector(".empty");
    if (empty) empty.remove();
    var item = document.createElement("li");
    var who = document.createElement("strong");
    who.textContent = data.author;
    var when = document.createElement("span");
    when.className = "helptext";
    when.textContent = " " + data.at;
    item.appendChild(who);
    item.appendChild(when);
    var text = document.createElement("div");
    text.innerHTML = data.html;  // escaped by the server
    item.appendChild(text);
    list.appendChild(item);
    status.textContent = "";
    if (window.announce) {
      window.announce(data.author_id === me ? form.dataset.sent
        : form.dataset.received.replace("{name}", data.author).replace("{text}", text.textContent.trim()));
    }
  };
  form.addEventListener("submit", function (event) {
    if (!open) return;  // fall back to a normal post
    event.preventDefault();
    socket.send(JSON.stringify({type: "message", body: body.value}));
    body.value = "";
  });
})();
