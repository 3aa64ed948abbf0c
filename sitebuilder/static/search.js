/* Client-side search over the guides, with MiniSearch and an index shipped as a script
   (search-index.js), so it works from a web server and from a folder opened on disk. */
(function () {
  "use strict";
  var docs = window.GUIDE_SEARCH_INDEX || [];
  var search = new window.MiniSearch({
    fields: ["title", "summary", "headings", "tags", "text"],
    storeFields: ["title", "summary", "url", "audience"],
    searchOptions: { boost: { title: 3, headings: 2, summary: 2, tags: 2 }, prefix: true, fuzzy: 0.15, combineWith: "AND" }
  });
  search.addAll(docs);

  var form = document.querySelector("[data-search-form]");
  var input = document.querySelector("[data-search-input]");
  var status = document.querySelector("[data-search-status]");
  var list = document.querySelector("[data-search-results]");
  var fromDisk = window.location.protocol === "file:";

  function show(query) {
    list.textContent = "";
    query = query.trim();
    if (!query) { status.textContent = "Type a word or two, such as “thank-you” or “deadline”."; return; }
    var results = search.search(query);
    var jobs = results.filter(function (hit) { return hit.audience === "job"; }).length;
    var guides = results.length - jobs;
    var found = [];
    if (guides) found.push(guides + (guides === 1 ? " guide" : " guides"));
    if (jobs) found.push(jobs + (jobs === 1 ? " open job" : " open jobs"));
    status.textContent = results.length === 0
      ? "No guide" + (window.GUIDE_SEARCH_INDEX.some(function (d) { return d.audience === "job"; }) ? " or job" : "") +
        " matches “" + query + "”. Try fewer or different words."
      : found.join(" and ") + (results.length === 1 ? " matches" : " match") + " “" + query + "”.";
    results.slice(0, 30).forEach(function (hit) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "../" + hit.url + (fromDisk ? "index.html" : "");
      link.textContent = hit.title;
      var heading = document.createElement("h2");
      heading.className = "result-title";
      heading.appendChild(link);
      var summary = document.createElement("p");
      summary.textContent = hit.summary;
      item.appendChild(heading);
      item.appendChild(summary);
      list.appendChild(item);
    });
  }

  var initial = new URLSearchParams(window.location.search).get("q") || "";
  input.value = initial;
  show(initial);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    show(input.value);
    var url = new URL(window.location.href);
    url.searchParams.set("q", input.value);
    try { window.history.replaceState(null, "", url); } catch (e) { /* some file:// pages refuse */ }
  });
  input.addEventListener("input", function () { show(input.value); });
})();
