/* The jobs list's filters combined in place: with this script, three drop-downs (practice
   area, location, type) narrow the list together; without it, the filter links lead to a
   page per choice, built with the site. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-job-filter]");
    if (!form) return;
    var links = document.querySelector("[data-job-links]");
    var status = document.querySelector("[data-job-status]");
    var items = document.querySelectorAll(".job-list > li");
    var selects = form.querySelectorAll("select");

    function apply() {
      var shown = 0;
      for (var i = 0; i < items.length; i++) {
        var match = true;
        for (var j = 0; j < selects.length; j++) {
          var wanted = selects[j].value;
          if (wanted && items[i].getAttribute("data-" + selects[j].name) !== wanted) match = false;
        }
        items[i].hidden = !match;
        if (match) shown++;
      }
      status.textContent = shown === items.length
        ? items.length + (items.length === 1 ? " open job." : " open jobs.")
        : shown === 0
          ? "No open job matches all of these. Set one of them back to Any."
          : shown + " of " + items.length + " open jobs match.";
    }

    form.hidden = false;
    if (links) links.hidden = true;
    for (var k = 0; k < selects.length; k++) selects[k].addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    apply();
  });
})();
