// Live conversation: messages arrive over the websocket and are sent through it; without
// JavaScript (or while the socket is closed) the form posts as usual. Message text arrives
// HTML-escaped by the server. Each message shown is also announced (js/announce.js): « sent » for
// one's own, the author and text for the others'. A lost socket is said so under the form and
// reopened, waiting longer each time; it then catches up on the messages missed meanwhile, each
// shown once. Under the field, the characters left (« 1 850 caractères restants »), announced to
// screen readers only near the limit.
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
  // The ids shown (rendered or received): each (re)connection catches up from the highest
  // (docs/realtime.md), and an id already shown is not shown twice.
  var shown = {};
  var last = 0;
  Array.prototype.forEach.call(list.querySelectorAll("li[data-id]"), function (item) {
    var id = parseInt(item.dataset.id, 10);
    shown[id] = true;
    if (id > last) last = id;
  });
  var socket = null;
  var open = false;  // joined and caught up: the form sends through the socket
  var lost = false;  // the « connection lost » notice is shown
  var wait = 500;  // before the next attempt: doubled each time, up to 30 s
  var sending = "";  // given back to the field if the server refuses it
  var leaving = false;  // the page is being left: its socket's close is no loss

  function notice(text) {
    status.textContent = text;
    status.classList.toggle("live-unavailable", lost);
  }
  function connect() {
    socket = new WebSocket(scheme + location.host + form.dataset.socket + "?after=" + last);
    socket.onmessage = receive;
    socket.onclose = function (event) {
      open = false;
      if (leaving) return;
      if (event.code >= 4400 && event.code < 4500) {  // refused (docs/realtime.md): final
        if (lost) { lost = false; notice(""); }
        return;
      }
      if (!lost) { lost = true; notice(form.dataset.lost); }
      setTimeout(connect, wait);
      wait = Math.min(wait * 2, 30000);
    };
  }
  function receive(event) {
    var data = JSON.parse(event.data);
    if (data.type === "ready") {  // joined, and what was missed has been sent
      open = true;
      wait = 500;
      if (lost) { lost = false; notice(""); }
      return;
    }
    if (data.type === "error") {
      notice(data.error);
      if (sending && !body.value) { body.value = sending; count(); }
      sending = "";
      return;
    }
    if (data.type !== "message") return;
    sending = "";
    if (shown[data.id]) return;  // the catch-up may repeat what the page got
    shown[data.id] = true;
    if (data.id > last) last = data.id;
    var empty = list.querySelector(".empty");
    if (empty) empty.remove();
    var item = document.createElement("li");
    item.dataset.id = data.id;
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
    if (!lost) notice("");
    if (!window.announce) return;
    if (data.author_id !== me) {
      window.announce(form.dataset.received.replace("{name}", data.author)
        .replace("{text}", text.textContent.trim()));
    } else if (open) {  // not one of the catch-up's: sent from another page
      window.announce(form.dataset.sent);
    }
  }
  connect();
  window.addEventListener("pagehide", function () { leaving = true; });
  window.addEventListener("pageshow", function (event) {  // back from the history cache
    leaving = false;
    if (event.persisted && socket.readyState > 1) connect();
  });
  form.addEventListener("submit", function (event) {
    if (!open) return;  // fall back to a normal post
    event.preventDefault();
    sending = body.value;
    socket.send(JSON.stringify({type: "message", body: body.value}));
    body.value = "";
    count();
  });
})();
