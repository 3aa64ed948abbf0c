/* Opened straight from disk (file://), folders do not open their index.html:
   point every link that ends in "/" at the index.html inside it. */
(function () {
  "use strict";
  if (window.location.protocol !== "file:") return;
  document.addEventListener("DOMContentLoaded", function () {
    var links = document.querySelectorAll("a[href]");
    for (var i = 0; i < links.length; i++) {
      var href = links[i].getAttribute("href");
      if (/^[a-z]+:/i.test(href) || href.charAt(0) === "#") continue;
      var parts = href.split("#");
      if (parts[0] === "" || parts[0].slice(-1) === "/") {
        parts[0] = (parts[0] || "./") + "index.html";
        links[i].setAttribute("href", parts.join("#"));
      }
    }
    var forms = document.querySelectorAll("form[action$='/']");
    for (var j = 0; j < forms.length; j++) {
      forms[j].setAttribute("action", forms[j].getAttribute("action") + "index.html");
    }
  });
})();
