"use strict";
// The answer form: tracks progress, marks unanswered questions and saves the answers as one
// CSV row in partnerscope's response format (respondent_id, org, role, wave, item ids).
// Everything stays in the page: the file is handed to the browser's download, never sent.
// Until they are saved, the answers are kept in the browser's local storage (this computer
// only), so a reload or a closed tab loses nothing; saving clears them.
// A question with `data-show-if` is asked only when its condition holds (SPEC §16): the
// condition is JSON data read by the small interpreter below (no code is evaluated), with
// the rules partnerscope scores by; a question not asked is hidden, left out of progress and
// its answer cleared.
(function () {
  var form = document.getElementById("answers");
  var items = Array.prototype.slice.call(form.querySelectorAll("fieldset.item"));
  var progress = document.getElementById("progress");
  var progressText = document.getElementById("progress-text");
  var saveStatus = document.getElementById("save-status");
  var orgInput = document.getElementById("org");
  var panelInput = document.getElementById("panel_id");
  var draftKey = "partnerscope-answers:" + location.pathname + ":" + form.dataset.wave;
  var respondentId = newRespondentId();

  // Local storage may be refused (private windows, strict settings): the form works without.
  function storage() {
    try {
      return window.localStorage;
    } catch (error) {
      return null;
    }
  }

  // Every control's state, by name and value, with the respondent id of this draft.
  function keepDraft() {
    var store = storage();
    if (!store) {
      return;
    }
    var draft = {
      respondentId: respondentId,
      org: orgInput ? orgInput.value : "",
      panel: panelInput ? panelInput.value : "",
      checked: [],
      numbers: {},
      texts: {}
    };
    Array.prototype.forEach.call(form.querySelectorAll("input:checked"), function (box) {
      draft.checked.push([box.name, box.value]);
    });
    Array.prototype.forEach.call(form.querySelectorAll("input[type=number]"), function (input) {
      if (input.value !== "") {
        draft.numbers[input.name] = input.value;
      }
    });
    Array.prototype.forEach.call(form.querySelectorAll("textarea"), function (box) {
      if (box.value !== "") {
        draft.texts[box.name] = box.value;
      }
    });
    try {
      store.setItem(draftKey, JSON.stringify(draft));
    } catch (error) {
      // Storage full or refused: nothing is kept, the answers stay in the page.
    }
  }

  function restoreDraft() {
    var store = storage();
    var text = null;
    try {
      text = store ? store.getItem(draftKey) : null;
    } catch (error) {
      text = null;
    }
    if (!text) {
      return false;
    }
    var draft;
    try {
      draft = JSON.parse(text);
    } catch (error) {
      return false;
    }
    if (/^r-[0-9a-f]{16}$/.test(draft.respondentId || "")) {
      respondentId = draft.respondentId;
    }
    if (panelInput && typeof draft.panel === "string") {
      panelInput.value = draft.panel;
    }
    if (orgInput && typeof draft.org === "string") {
      orgInput.value = draft.org;
    }
    (draft.checked || []).forEach(function (pair) {
      Array.prototype.forEach.call(form.querySelectorAll("input"), function (box) {
        if ((box.type === "radio" || box.type === "checkbox") && box.name === pair[0] && box.value === pair[1]) {
          box.checked = true;
        }
      });
    });
    var numbers = draft.numbers || {};
    Array.prototype.forEach.call(form.querySelectorAll("input[type=number]"), function (input) {
      if (Object.prototype.hasOwnProperty.call(numbers, input.name)) {
        input.value = String(numbers[input.name]);
      }
    });
    var texts = draft.texts || {};
    Array.prototype.forEach.call(form.querySelectorAll("textarea"), function (box) {
      if (Object.prototype.hasOwnProperty.call(texts, box.name)) {
        box.value = String(texts[box.name]).slice(0, box.maxLength > 0 ? box.maxLength : undefined);
      }
    });
    return true;
  }

  function clearDraft() {
    var store = storage();
    try {
      if (store) {
        store.removeItem(draftKey);
      }
    } catch (error) {
      // Nothing to clear.
    }
  }

  // `r-` and 16 hex digits from the browser's cryptographic random generator.
  function newRespondentId() {
    var bytes = new Uint8Array(8);
    window.crypto.getRandomValues(bytes);
    var hex = "";
    for (var i = 0; i < bytes.length; i++) {
      hex += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    }
    return "r-" + hex;
  }

  // The cell of one question: "" when unanswered, or { error } for a number out of range.
  function answerOf(fieldset) {
    var type = fieldset.dataset.type;
    if (type === "comment") {
      return fieldset.querySelector("textarea").value.trim();
    }
    if (type === "number") {
      var input = fieldset.querySelector("input");
      var text = input.value.trim();
      if (text === "") {
        return input.validity.badInput ? { error: true } : "";
      }
      var value = Number(text);
      var min = Number(fieldset.dataset.min);
      var max = Number(fieldset.dataset.max);
      if (!isFinite(value) || value < min || value > max) {
        return { error: true };
      }
      return String(value);
    }
    var checked = Array.prototype.slice.call(fieldset.querySelectorAll("input:checked"));
    if (type === "multi") {
      var values = checked.map(function (box) { return box.value; });
      if (values.indexOf("none") >= 0) {
        return "none";
      }
      return values.join(";");
    }
    return checked.length ? checked[0].value : "";
  }

  function isAnswered(fieldset) {
    var answer = answerOf(fieldset);
    return typeof answer === "string" && answer !== "";
  }

  // Conditions (SPEC §16). Each question's answer as a condition sees it: not asked, missing
  // (unanswered, "don't know", or a number out of range) or its value.
  var conditions = items.map(function (fieldset) {
    var text = fieldset.dataset.showIf;
    return text ? JSON.parse(text) : null;
  });

  function givenOf(fieldset) {
    if (fieldset.hidden) {
      return { asked: false };
    }
    var answer = answerOf(fieldset);
    if (typeof answer !== "string" || answer === "") {
      return { asked: true };
    }
    var type = fieldset.dataset.type;
    var value = answer;
    if (type === "scale") {
      if (!/^[0-9]+$/.test(answer)) {
        return { asked: true };
      }
      value = Number(answer);
    } else if (type === "number") {
      value = Number(answer);
    } else if (type === "boolean") {
      value = answer === "yes";
    } else if (type === "multi") {
      value = answer === "none" ? [] : answer.split(";");
    }
    return { asked: true, answered: true, type: type, value: value };
  }

  // SPEC §4's tolerance: a ≥ b when equal within 1e-9 of their size, or above.
  function atLeast(a, b) {
    return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)) || a > b;
  }

  function amount(given) {
    if (!given.answered) {
      return null;
    }
    if (given.type === "multi") {
      return given.value.length;
    }
    return given.type === "scale" || given.type === "number" ? given.value : null;
  }

  function matches(given, value) {
    if (!given.answered) {
      return false;
    }
    if (given.type === "multi") {
      return given.value.indexOf(value) >= 0;
    }
    return given.value === value;
  }

  // Whether a condition holds, given each earlier question's answer by id and the role.
  function holds(condition, given, role) {
    if (condition.all) {
      return condition.all.every(function (c) { return holds(c, given, role); });
    }
    if (condition.any) {
      return condition.any.some(function (c) { return holds(c, given, role); });
    }
    if (condition.not) {
      return !holds(condition.not, given, role);
    }
    if (condition.role) {
      return condition.role.indexOf(role) >= 0;
    }
    var answer = given[condition.item] || { asked: false };
    if (Object.prototype.hasOwnProperty.call(condition, "answered")) {
      return Boolean(answer.answered) === condition.answered;
    }
    if (Object.prototype.hasOwnProperty.call(condition, "at_least")) {
      var low = amount(answer);
      return low !== null && atLeast(low, condition.at_least);
    }
    if (Object.prototype.hasOwnProperty.call(condition, "at_most")) {
      var high = amount(answer);
      return high !== null && atLeast(condition.at_most, high);
    }
    return (condition["in"] || []).some(function (value) { return matches(answer, value); });
  }

  function currentRole() {
    var roleBox = form.querySelector("input[name=role]:checked");
    return form.dataset.role || (roleBox ? roleBox.value : "");
  }

  // Clears a question's answer, as when it becomes hidden.
  function clearAnswer(fieldset) {
    Array.prototype.forEach.call(fieldset.querySelectorAll("input"), function (input) {
      if (input.type === "radio" || input.type === "checkbox") {
        input.checked = false;
      } else {
        input.value = "";
      }
    });
    Array.prototype.forEach.call(fieldset.querySelectorAll("textarea"), function (box) {
      box.value = "";
    });
    fieldset.classList.remove("checked");
  }

  // Shows the questions whose condition holds and hides (and clears) the others, in order, so
  // a later condition sees an earlier question that is hidden as not asked.
  function applyConditions() {
    var role = currentRole();
    var given = {};
    items.forEach(function (fieldset, i) {
      var asked = conditions[i] === null || holds(conditions[i], given, role);
      fieldset.hidden = !asked;
      if (!asked) {
        clearAnswer(fieldset);
        showStatus(fieldset);
      }
      given[fieldset.dataset.item] = givenOf(fieldset);
    });
  }

  function askedItems() {
    return items.filter(function (fieldset) { return !fieldset.hidden; });
  }

  function showStatus(fieldset) {
    var answered = isAnswered(fieldset);
    fieldset.classList.toggle("answered", answered);
    fieldset.classList.toggle("unanswered", !answered);
    fieldset.querySelector(".status").textContent = answered ? "Answered" : "Not answered yet";
    if (fieldset.dataset.type === "number") {
      var bad = typeof answerOf(fieldset) !== "string";
      var input = fieldset.querySelector("input");
      input.setAttribute("aria-invalid", bad ? "true" : "false");
      document.getElementById("err-" + fieldset.dataset.item).hidden = !bad;
    }
  }

  function showProgress() {
    var asked = askedItems();
    var done = asked.filter(isAnswered).length;
    progress.max = asked.length;
    progress.value = done;
    progress.textContent = done + " of " + asked.length;
    progressText.textContent = done + " of " + asked.length + " questions answered";
  }

  // "None of these" and the options of a multiple-choice question exclude each other.
  function exclusive(box) {
    if (box.type !== "checkbox" || !box.checked) {
      return;
    }
    var others = box.closest("fieldset").querySelectorAll("input[type=checkbox]");
    Array.prototype.forEach.call(others, function (other) {
      if (other !== box && (box.value === "none" || other.value === "none")) {
        other.checked = false;
      }
    });
  }

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset.item");
    if (fieldset) {
      exclusive(event.target);
      showStatus(fieldset);
    }
    applyConditions();
    showProgress();
    keepDraft();
    if (event.target.name === "role") {
      document.getElementById("role-error").hidden = true;
    }
  });
  form.addEventListener("input", function (event) {
    var fieldset = event.target.closest("fieldset.item");
    // Conditions follow a number once it is entered (the change event), not at each key, so
    // that editing "3" into "1" does not hide and clear the questions that depend on it.
    if (fieldset && (fieldset.dataset.type === "number" || fieldset.dataset.type === "comment")) {
      showStatus(fieldset);
      showProgress();
    }
    keepDraft();
    if (event.target === orgInput && orgInput.value.trim() !== "") {
      orgInput.removeAttribute("aria-invalid");
      document.getElementById("org-error").hidden = true;
    }
  });

  // A CSV cell, quoted when it holds a comma, a quote or a line break (RFC 4180).
  function cell(text) {
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  // The organization part of the file name, as partnerscope names organization pages.
  function slug(text) {
    var s = text.replace(/[^A-Za-z0-9]+/g, "-").toLowerCase().replace(/^-+/, "");
    s = s.slice(0, 64).replace(/-+$/, "");
    return s === "" ? "org" : s;
  }

  function save() {
    var org = form.dataset.org || (orgInput ? orgInput.value.trim() : "");
    var roleBox = form.querySelector("input[name=role]:checked");
    var role = form.dataset.role || (roleBox ? roleBox.value : "");
    if (org === "") {
      orgInput.setAttribute("aria-invalid", "true");
      document.getElementById("org-error").hidden = false;
      orgInput.focus();
      saveStatus.textContent = "Not saved: the name of your organization is missing.";
      return;
    }
    if (role === "") {
      document.getElementById("role-error").hidden = false;
      form.querySelector("input[name=role]").focus();
      saveStatus.textContent = "Not saved: your role is missing.";
      return;
    }
    var header = ["respondent_id", "org", "role", "wave"];
    var row = [respondentId, org, role, form.dataset.wave];
    if (panelInput) {
      header.push("panel_id");
      row.push(panelInput.value.trim());
    }
    // Breakdowns: the chosen option, or an empty cell for "Prefer not to say".
    var breakdowns = form.querySelectorAll("fieldset[data-breakdown]");
    for (var b = 0; b < breakdowns.length; b++) {
      var chosen = breakdowns[b].querySelector("input:checked");
      header.push(breakdowns[b].dataset.breakdown);
      row.push(chosen ? chosen.value : "");
    }
    var unanswered = [];
    applyConditions();
    for (var i = 0; i < items.length; i++) {
      var fieldset = items[i];
      if (fieldset.hidden) {
        // Not asked: the column stays, empty (partnerscope reads it as not asked).
        header.push(fieldset.dataset.item);
        row.push("");
        continue;
      }
      var answer = answerOf(fieldset);
      fieldset.classList.add("checked");
      if (typeof answer !== "string") {
        showStatus(fieldset);
        fieldset.querySelector("input").focus();
        saveStatus.textContent = "Not saved: question " + fieldset.querySelector(".qno").textContent.replace(".", "") + " needs a number within its range, or no answer.";
        return;
      }
      if (answer === "") {
        unanswered.push(fieldset);
      }
      header.push(fieldset.dataset.item);
      row.push(answer);
    }
    var text = header.map(cell).join(",") + "\n" + row.map(cell).join(",") + "\n";
    var name = slug(org) + "-" + role.replace(/[^A-Za-z0-9_.-]+/g, "-") + "-" + respondentId + ".csv";
    var url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
    var link = document.createElement("a");
    link.href = url;
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
    form.dataset.saved = name;
    clearDraft();
    report(name, unanswered);
  }

  function report(name, unanswered) {
    saveStatus.textContent = "";
    var done = document.createElement("p");
    done.textContent = "Saved as " + name + " in your downloads. Send this file back. " +
      "Your answers are no longer kept in this browser. " +
      "If you change an answer, save again and send only the newest file.";
    saveStatus.appendChild(done);
    if (unanswered.length === 0) {
      return;
    }
    var note = document.createElement("p");
    note.textContent = unanswered.length === 1
      ? "1 question was left unanswered and counts as missing:"
      : unanswered.length + " questions were left unanswered and count as missing:";
    saveStatus.appendChild(note);
    var list = document.createElement("ul");
    unanswered.forEach(function (fieldset) {
      var entry = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#" + fieldset.id;
      link.textContent = fieldset.querySelector("legend").textContent;
      entry.appendChild(link);
      list.appendChild(entry);
    });
    saveStatus.appendChild(list);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    save();
  });
  var restored = restoreDraft();
  items.forEach(showStatus);
  applyConditions();
  showProgress();
  if (restored) {
    document.getElementById("draft-status").textContent =
      "Your earlier answers, kept in this browser, are filled in again. They stay here until you save.";
  }
  form.dataset.ready = "true";
})();
