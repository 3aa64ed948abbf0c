/* Client-side search over the guides' sections and the open jobs, with MiniSearch and an
   index shipped as a script (search-index.js), so it works from a web server and from a
   folder opened on disk. A result names the section that matched, shows the words around
   the match with the query's words marked, and links to the section itself. */
(function () {
  "use strict";
  var docs = window.GUIDE_SEARCH_INDEX || [];
  var byId = {};
  docs.forEach(function (doc) { byId[doc.id] = doc; });
  var hasJobs = docs.some(function (doc) { return doc.audience === "job"; });
  // Words as people write them: "thank-you" and "don't" are one word each.
  var TOKEN = /[\p{L}\p{N}]+(?:[-'’][\p{L}\p{N}]+)*/gu;
  function words(text) { return text.match(TOKEN) || []; }
  var search = new window.MiniSearch({
    tokenize: words,
    fields: ["guide", "title", "summary", "tags", "text"],
    storeFields: ["guide"],
    searchOptions: {
      // The guide's title first, then the section's heading: a word every guide uses
      // still puts the guide about it on top.
      boost: { guide: 4, title: 3, summary: 1.5, tags: 2 },
      prefix: true,
      fuzzy: 0.15,
      combineWith: "AND"
    }
  });
  search.addAll(docs);

  var form = document.querySelector("[data-search-form]");
  var input = document.querySelector("[data-search-input]");
  var status = document.querySelector("[data-search-status]");
  var list = document.querySelector("[data-search-results]");
  var fromDisk = window.location.protocol === "file:";
  var PER_GUIDE = 3;
  var SHOWN = 30;
  var WORD = /[\p{L}\p{N}]/u;

  function escapeRegExp(text) { return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

  /* The words around the first match, with every word the query's words begin marked
     (or, for a near miss, the words the index matched). */
  function snippet(text, query, terms) {
    var marks = new RegExp("(" + query.map(escapeRegExp).join("|") + ")[\\p{L}\\p{N}'’-]*", "giu");
    var first = text.search(marks);
    if (first < 0) {
      marks = new RegExp("(" + terms.map(escapeRegExp).join("|") + ")[\\p{L}\\p{N}'’-]*", "giu");
      first = Math.max(0, text.search(marks));
    }
    var start = Math.max(0, first - 70);
    while (start > 0 && WORD.test(text.charAt(start - 1))) start--;
    var end = Math.min(text.length, start + 200);
    while (end < text.length && WORD.test(text.charAt(end))) end++;
    var part = text.slice(start, end);
    var out = document.createElement("p");
    out.className = "result-snippet";
    var at = 0;
    part.replace(marks, function (match, _term, offset) {
      if (offset > 0 && WORD.test(part.charAt(offset - 1))) return match;  // inside a word
      out.appendChild(document.createTextNode(part.slice(at, offset)));
      var mark = document.createElement("mark");
      mark.textContent = match;
      out.appendChild(mark);
      at = offset + match.length;
      return match;
    });
    out.appendChild(document.createTextNode(part.slice(at)));
    if (start > 0) out.insertBefore(document.createTextNode("… "), out.firstChild);
    if (end < text.length) out.appendChild(document.createTextNode(" …"));
    return out;
  }

  function link(doc) {
    var href = "../" + doc.url + (fromDisk ? "index.html" : "");
    return doc.anchor ? href + "#" + doc.anchor : href;
  }

  function counted(n, one, many) { return n + " " + (n === 1 ? one : many); }

  function show(query) {
    list.textContent = "";
    query = query.trim();
    if (!query) { status.textContent = "Type a word or two, such as “thank-you” or “deadline”."; return; }
    var perGuide = {};
    var results = search.search(query).filter(function (hit) {
      var doc = byId[hit.id];
      perGuide[doc.url] = (perGuide[doc.url] || 0) + 1;
      return perGuide[doc.url] <= PER_GUIDE;
    });
    var guides = {};
    var sections = 0;
    var jobs = 0;
    results.forEach(function (hit) {
      var doc = byId[hit.id];
      if (doc.audience === "job") { jobs++; } else { sections++; guides[doc.url] = true; }
    });
    var found = [];
    var guideCount = Object.keys(guides).length;
    if (sections) found.push(counted(sections, "section", "sections") + " in " + counted(guideCount, "guide", "guides"));
    if (jobs) found.push(counted(jobs, "open job", "open jobs"));
    status.textContent = results.length === 0
      ? "No guide" + (hasJobs ? " or job" : "") + " matches “" + query + "”. Try fewer or different words."
      : found.join(" and ") + (results.length === 1 ? " matches" : " match") + " “" + query + "”.";
    results.slice(0, SHOWN).forEach(function (hit) {
      var doc = byId[hit.id];
      var item = document.createElement("li");
      var heading = document.createElement("h2");
      heading.className = "result-title";
      var anchor = document.createElement("a");
      anchor.href = link(doc);
      anchor.textContent = doc.audience === "job" ? "Job: " + doc.title : doc.title;
      heading.appendChild(anchor);
      item.appendChild(heading);
      var where = document.createElement("p");
      where.className = "result-where";
      where.textContent = doc.audience === "job" ? doc.summary : (doc.anchor ? "In “" + doc.guide + "”" : doc.summary);
      item.appendChild(where);
      if (doc.text) item.appendChild(snippet(doc.text, words(query), hit.terms));
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
