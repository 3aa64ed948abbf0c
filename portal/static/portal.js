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
  // A form that is not filled in right goes straight to the server, which says what is
  // wrong beside each field: there is nothing to confirm yet.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && form.checkValidity() && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // The policy page while a change is being applied: the bar follows it, and the page
  // reloads when it is done or has stalled (to show the button that starts it again).
  var applying = document.querySelector("[data-policy-progress]");
  if (applying && window.fetch) {
    var bar = applying.querySelector("progress");
    var words = applying.querySelector("[data-progress-text]");
    var poll = function () {
      fetch(applying.getAttribute("data-policy-progress"), { credentials: "same-origin" })
        .then(function (response) {
          // Signed out meanwhile (the sign-in page answers): stop asking.
          if (!response.ok || response.redirected) { throw new Error("stop"); }
          return response.json();
        })
        .then(function (state) {
          if (state.applied) {
            bar.value = bar.max;
            words.textContent = "Applied: every open step follows it.";
            var heading = applying.querySelector("h2");
            heading.textContent = heading.textContent.replace(/^Applying/, "Applied");
            applying.querySelectorAll("[data-while-applying]").forEach(function (element) {
              element.hidden = true;
            });
            return;
          }
          bar.max = state.of;
          bar.value = state.done;
          words.textContent = state.done.toLocaleString("en-CA") + " of " +
            state.of.toLocaleString("en-CA") + " interviews with open steps follow it so far.";
          if (state.stalled && !applying.querySelector("[data-progress-stalled]")) {
            window.location.reload();
            return;
          }
          window.setTimeout(poll, 1000);
        })
        .catch(function (error) {
          if (error.message !== "stop") { window.setTimeout(poll, 5000); }  // a blip: later
        });
    };
    window.setTimeout(poll, 500);
  }

  // An import while it runs: the bar follows the rows checked, and the page reloads when
  // it is done, has failed, or has stalled (to show the button that starts it again).
  var importing = document.querySelector("[data-import-progress]");
  if (importing && window.fetch) {
    var importBar = importing.querySelector("progress");
    var importWords = importing.querySelector("[data-progress-text]");
    var follow = function () {
      fetch(importing.getAttribute("data-import-progress"), { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok || response.redirected) { throw new Error("stop"); }
          return response.json();
        })
        .then(function (state) {
          if (state.status !== "running" ||
              (state.stalled && !importing.querySelector("[data-progress-stalled]"))) {
            window.location.reload();
            return;
          }
          importBar.max = state.rows;
          importBar.value = state.checked;
          importWords.textContent = state.checked.toLocaleString("en-CA") + " of " +
            state.rows.toLocaleString("en-CA") + " rows checked.";
          window.setTimeout(follow, 700);
        })
        .catch(function (error) {
          if (error.message !== "stop") { window.setTimeout(follow, 5000); }
        });
    };
    window.setTimeout(follow, 300);
  }

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

  // The interview form's job picker: once an employer is chosen, only its jobs; a box to
  // type in narrows them further (any order of words, accents and case ignored). Without
  // the script the list is every job, grouped by employer, and the server checks the pair.
  function folded(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  var jobs = document.querySelector("select[data-job-picker]");
  var employer = jobs && document.getElementById(jobs.getAttribute("data-narrow-by"));
  if (jobs && employer) {
    var jobOptions = Array.prototype.slice.call(jobs.querySelectorAll("option"));
    jobOptions.forEach(function (option) {
      var group = option.parentNode.tagName === "OPTGROUP" ? option.parentNode.label : "";
      option.setAttribute("data-words", folded(option.textContent + " " + group));
      option.setAttribute("data-group", group);
    });
    var finder = document.createElement("input");
    finder.type = "search";
    finder.className = "job-finder";
    finder.setAttribute("aria-label", "Find a job: type part of its title or place");
    finder.placeholder = "Type to find a job";
    finder.setAttribute("aria-controls", jobs.id);
    jobs.parentNode.insertBefore(finder, jobs);
    var narrowJobs = function () {
      var chosen = employer.value && employer.value !== "0" ? employer.value : null;
      var typed = folded(finder.value).split(/\s+/).filter(Boolean);
      var kept = jobs.value;
      var groups = {};
      jobs.textContent = "";
      jobOptions.forEach(function (option) {
        var owner = option.getAttribute("data-employer");
        if (owner !== null) {
          if (chosen && owner !== chosen) { return; }
          var words = option.getAttribute("data-words");
          if (!typed.every(function (word) { return words.indexOf(word) !== -1; })) { return; }
        }
        var group = option.getAttribute("data-group");
        if (chosen || !group) {
          jobs.appendChild(option);
          return;
        }
        if (!groups[group]) {
          groups[group] = document.createElement("optgroup");
          groups[group].label = group;
          jobs.appendChild(groups[group]);
        }
        groups[group].appendChild(option);
      });
      jobs.value = kept;
      if (jobs.value !== kept) { jobs.value = "0"; }  // that job is not the chosen employer's
    };
    employer.addEventListener("change", narrowJobs);
    finder.addEventListener("input", narrowJobs);
    narrowJobs();
  }

  // A draft: the person's edits are kept in this browser (per person, interview, note and
  // channel) and come back after a reload; "start again" returns to the draft as written.
  // The "open in my email program" link follows what they typed.
  var draft = document.querySelector("[data-draft-key]");
  var body = document.querySelector("[data-draft-body]");
  var subject = document.querySelector("[data-draft-subject]");
  var mailto = document.querySelector("[data-mailto]");
  function updateMailto() {
    if (!mailto) { return; }
    var text = body.value.replace(/\r?\n/g, "\r\n");
    mailto.href = "mailto:" + (mailto.getAttribute("data-mailto-to") || "") +
      "?subject=" + encodeURIComponent(subject ? subject.value : "") +
      "&body=" + encodeURIComponent(text);
  }
  function storage() {
    try { return window.localStorage; } catch (error) { return null; }  // private modes refuse it
  }
  if (draft && body) {
    var key = draft.getAttribute("data-draft-key");
    var kept = draft.querySelector("[data-draft-kept]");
    var written = { body: body.value, subject: subject ? subject.value : "" };
    var store = storage();
    var saved = store && store.getItem(key);
    if (saved) {
      try {
        saved = JSON.parse(saved);
        body.value = saved.body;
        if (subject) { subject.value = saved.subject; }
      } catch (error) { store.removeItem(key); }
    }
    var remember = function () {
      if (!store) { return; }
      store.setItem(key, JSON.stringify({ body: body.value, subject: subject ? subject.value : "" }));
      if (kept) { kept.hidden = false; }
    };
    if (kept && saved) { kept.hidden = false; }
    body.addEventListener("input", function () { remember(); updateMailto(); });
    if (subject) { subject.addEventListener("input", function () { remember(); updateMailto(); }); }
    var reset = draft.querySelector("[data-draft-reset]");
    if (reset) {
      reset.addEventListener("click", function () {
        if (store) { store.removeItem(key); }
        body.value = written.body;
        if (subject) { subject.value = written.subject; }
        if (kept) { kept.hidden = true; }
        updateMailto();
      });
    }
    updateMailto();
  }

  // Signing out forgets the drafts kept in this browser: it may be a shared computer.
  document.addEventListener("submit", function (event) {
    if (!event.target.closest("form[data-sign-out]")) { return; }
    var store = storage();
    if (!store) { return; }
    for (var i = store.length - 1; i >= 0; i -= 1) {
      var name = store.key(i);
      if (name && name.indexOf("draft:") === 0) { store.removeItem(name); }
    }
  });
}());
