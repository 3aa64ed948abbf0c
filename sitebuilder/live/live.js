/* build.py serve only (never part of the built site): reloads the page when a rebuild is
   done, and shows a broken edit's problems over the last good page until it is fixed. */
(function () {
  "use strict";
  var overlay = null;

  function show(problems) {
    if (!overlay) {
      overlay = document.createElement("section");
      overlay.className = "live-problems";
      overlay.setAttribute("role", "alert");
      document.body.appendChild(overlay);
    }
    overlay.textContent = "";
    var heading = document.createElement("h2");
    heading.textContent = "The build failed: this is the last good page";
    overlay.appendChild(heading);
    var list = document.createElement("ul");
    problems.forEach(function (problem) {
      var item = document.createElement("li");
      var code = document.createElement("code");
      code.textContent = problem;
      item.appendChild(code);
      list.appendChild(item);
    });
    overlay.appendChild(list);
    var hint = document.createElement("p");
    hint.textContent = "Fix the file and save: the page reloads by itself.";
    overlay.appendChild(hint);
  }

  var events = new EventSource("/__live/events");
  events.addEventListener("open", function () { document.documentElement.dataset.live = "listening"; });
  events.addEventListener("reload", function () { window.location.reload(); });
  events.addEventListener("problems", function (event) { show(JSON.parse(event.data)); });
})();
