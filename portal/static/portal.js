// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  function copyText(element) {
    var text = element.value !== undefined ? element.value : element.textContent;
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    element.select();  // plain http: the older way, from the selected field
    return document.execCommand("copy") ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  document.querySelectorAll("[data-copy], [data-print]").forEach(function (button) {
    button.hidden = false;  // shown only where they can work
  });

  document.addEventListener("click", function (event) {
    var copy = event.target.closest("[data-copy]");
    if (copy) {
      var status = copy.parentElement.querySelector(".copy-status");
      copyText(document.querySelector(copy.getAttribute("data-copy"))).then(function () {
        if (status) { status.textContent = "Copied."; }
      }, function () {
        if (status) { status.textContent = "Could not copy: select the text and copy it yourself."; }
      });
    }
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });

  // Keep the "open in my email program" link in step with what the person typed.
  var body = document.querySelector("[data-draft-body]");
  var subject = document.querySelector("[data-draft-subject]");
  var mailto = document.querySelector("[data-mailto]");
  function updateMailto() {
    var text = body.value.replace(/\r?\n/g, "\r\n");
    mailto.href = "mailto:?subject=" + encodeURIComponent(subject ? subject.value : "") +
      "&body=" + encodeURIComponent(text);
  }
  if (body && mailto) {
    body.addEventListener("input", updateMailto);
    if (subject) { subject.addEventListener("input", updateMailto); }
  }
}());
