// A private link to pass on (trust/share_created.html): « Copy the link » puts it on the
// clipboard and says so (shown beside the button, and announced: js/announce.js); where the
// clipboard is refused the link is selected for the person to copy. Where the device can
// share (navigator.share, phones mostly), « Send… » opens its share sheet.
(function () {
  "use strict";
  var status = document.getElementById("share-status");

  function say(text) {
    if (status) status.textContent = text;
    if (window.announce) window.announce(text);
  }

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var input = document.getElementById(button.dataset.copy);
    if (!input) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      function selectIt() {
        input.focus();
        input.select();
        say(button.dataset.select);
      }
      if (!navigator.clipboard || !navigator.clipboard.writeText) { selectIt(); return; }
      navigator.clipboard.writeText(input.value).then(function () {
        say(button.dataset.copied);
      }, selectIt);
    });
  });

  document.querySelectorAll("[data-share]").forEach(function (button) {
    var input = document.getElementById(button.dataset.share);
    if (!input || !navigator.share) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.share({title: button.dataset.title, url: input.value}).catch(function () {});
    });
  });
})();
