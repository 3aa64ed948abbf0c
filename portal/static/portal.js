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

  // Destructive actions ask first (the server still refuses a bad request without this).
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // "/" jumps to the list's search box, unless the person is typing somewhere.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.target.closest && event.target.closest("input, textarea, select, [contenteditable]")) { return; }
    var search = document.querySelector("[data-shortcut-search]");
    if (search) {
      event.preventDefault();
      search.focus();
      search.select();
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
