// Live conversation: messages arrive over the websocket and are sent through it; without
// JavaScript (or when the socket is closed) the form posts as usual. Message text arrives
// HTML-escaped by the server. Each message shown is also announced (js/announce.js): « sent » for
// one's own, the author and text for the others'. Under the field, the characters left
// (« 1 850 caractères restants »), announced to screen readers only near the limit.
(function () {
  "use strict";
  var form = document.getElementById("message-form");
  var list = document.getElementById("messages");
  var body = document.getElementById("message-body");
  if (!form || !list || !body) return;
  var counter = form.querySelector("[data-one]");
  var live = document.getElementById("message-count-live");
  var limit = parseInt(body.getAttribute("maxlength"), 10);
  var lang = document.documentElement.lang || "fr";
  var plural = window.Intl && Intl.PluralRules ? new Intl.PluralRules(lang) : null;
  var NEAR = [200, 100, 50, 20, 10, 0];  // announced when the count left reaches these
  var announced = null;

  function left() { return limit - body.value.length; }
  function text(n) {
    var one = plural ? plural.select(n) === "one" : n === 1;
    // The same no-break space as the server's « 2 000 » (browsers group with a narrow one).
    var figure = n.toLocaleString(lang).replace(/\u202f/g, "\u00a0");
    return counter.dataset[one ? "one" : "other"].replace("{count}", figure);
  }
  function count() {
    if (!counter || !limit) return;
    var n = left();
    counter.textContent = text(n);
    var mark = null;
    NEAR.forEach(function (step) { if (n <= step) mark = step; });
    if (mark === null) { announced = null; return; }
    if (mark !== announced) { announced = mark; live.textContent = text(n); }
  }
  body.addEventListener("input", count);
  count();

  if (!window.WebSocket) return;
  var status = document.getElementById("message-status");
  var scheme = location.protocol === "https:" ? "wss://" : "ws://";
  var me = parseInt(form.dataset.me, 10);
  var socket = new WebSocket(scheme + location.host + form.dataset.socket);
  var open = false;
  var sending = "";  // given back to the field if the server refuses it
  socket.onopen = function () { open = true; };
  socket.onclose = function () { open = false; };
  socket.onmessage = function (event) {
    var data = JSON.parse(event.data);
    if (data.type === "error") {
      status.textContent = data.error;
      if (sending && !body.value) { body.value = sending; count(); }
      sending = "";
      return;
    }
    if (data.type !== "message") return;
    sending = "";
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
    sending = body.value;
    socket.send(JSON.stringify({type: "message", body: body.value}));
    body.value = "";
    count();
  });
})();
