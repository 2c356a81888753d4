// The writing page of a report document, progressive enhancement only: without this file
// "Spara" posts every section and nothing is lost. With it, a text section or a goal
// comment (textarea[data-section]) is saved a moment after typing stops and when the
// field is left; what is not saved yet is kept in this browser (localStorage, by
// document, section and the revision it was written on) and sent again when the
// connection is back or the page is opened again. When someone else saved the section
// in between, both texts are shown and the writer chooses.
(function () {
  "use strict";

  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch) { return; }
  var url = form.getAttribute("data-autosave");
  var documentId = form.getAttribute("data-document");
  var token = form.querySelector("input[name=csrf_token]").value;
  var DELAY = 1500;
  var OFFLINE = "Inte sparat – försöker igen när anslutningen är tillbaka";

  function storageKey(section, revision) {
    return "enkat:dokument:" + documentId + ":" + section + ":" + revision;
  }

  function remember(field) {
    try {
      localStorage.setItem(storageKey(field.section, field.revision()), field.area.value);
    } catch (ignored) { /* private mode or full: the server copy is all there is */ }
  }

  function forget(section) {
    var prefix = "enkat:dokument:" + documentId + ":" + section + ":";
    keysWith(prefix).forEach(function (key) { localStorage.removeItem(key); });
  }

  function keysWith(prefix) {
    var keys = [];
    try {
      for (var i = 0; i < localStorage.length; i += 1) {
        var key = localStorage.key(i);
        if (key && key.indexOf(prefix) === 0) { keys.push(key); }
      }
    } catch (ignored) { /* no storage */ }
    return keys;
  }

  function Field(area) {
    var field = this;
    this.area = area;
    this.section = area.getAttribute("data-section");
    this.revisionInput = form.querySelector("input[data-revision-of='" + this.section + "']");
    this.status = document.getElementById(area.id + "-status");
    this.saved = area.value;
    this.timer = null;
    this.sending = false;
    area.addEventListener("input", function () {
      remember(field);
      field.say("");
      clearTimeout(field.timer);
      field.timer = setTimeout(function () { field.save(); }, DELAY);
    });
    area.addEventListener("blur", function () { field.save(); });
  }

  Field.prototype.revision = function () { return this.revisionInput.value; };

  Field.prototype.say = function (text) { if (this.status) { this.status.textContent = text; } };

  // `revision` is given when the writer chose to keep their text after a conflict; until
  // they choose, nothing of the section is sent.
  Field.prototype.save = function (revision) {
    var field = this;
    clearTimeout(field.timer);
    var text = field.area.value;
    if (revision === undefined && (field.conflicted || text === field.saved)) { return; }
    if (field.sending) { field.queued = revision === undefined ? true : revision; return; }
    field.sending = true;
    field.say("Sparar …");
    fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ section: field.section, text: text,
                             revision: Number(revision === undefined ? field.revision() : revision) })
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (answer) {
      field.sending = false;
      field.answered(answer.status, answer.body, text);
      field.next();
    }, function () {
      field.sending = false;
      field.say(OFFLINE);
      field.next();
    });
  };

  // A save asked for while one was on its way is made when that one has answered.
  Field.prototype.next = function () {
    var queued = this.queued;
    this.queued = false;
    if (queued === true) { this.save(); } else if (queued !== false && queued !== undefined) { this.save(queued); }
  };

  Field.prototype.answered = function (status, body, text) {
    if (status === 200) {
      this.conflicted = false;
      forget(this.section);
      this.revisionInput.value = body.revision;
      this.saved = text;
      this.say("Sparat " + body.saved_at);
      if (this.area.value !== text) { remember(this); this.save(); }
    } else if (status === 409 && body.stale) {
      this.conflict(body);
    } else if (body && body.message) {
      this.say(body.message);
    } else {
      this.say(OFFLINE);
    }
  };

  // Someone saved this section after the text here was begun: show both, let the writer
  // choose, and overwrite nothing until they do.
  Field.prototype.conflict = function (body) {
    var field = this;
    var box = document.getElementById(field.area.id + "-conflict");
    if (!box) { return; }
    field.conflicted = true;
    field.queued = false;
    box.querySelector("[data-stored-text]").textContent = body.text;
    box.querySelector("[data-own-text]").textContent = field.area.value;
    box.hidden = false;
    field.say("Inte sparat: någon annan har sparat den här delen. Välj vilken text som ska gälla.");
    box.querySelector("[data-keep-own]").onclick = function () {
      box.hidden = true;
      field.revisionInput.value = body.revision;
      forget(field.section);
      remember(field);
      field.save(body.revision);
    };
    box.querySelector("[data-take-stored]").onclick = function () {
      box.hidden = true;
      field.conflicted = false;
      forget(field.section);
      field.area.value = body.text;
      field.saved = body.text;
      field.revisionInput.value = body.revision;
      field.say("Den sparade texten visas.");
      field.area.focus();
    };
  };

  // Text this browser kept but did not get saved: written on the revision the server
  // still has, it is newer and is put back and saved; written on an older one, the
  // server answers that someone saved in between and the writer chooses.
  Field.prototype.restore = function () {
    var field = this;
    var prefix = "enkat:dokument:" + documentId + ":" + field.section + ":";
    keysWith(prefix).forEach(function (key) {
      var kept = localStorage.getItem(key);
      var revision = key.slice(prefix.length);
      if (kept === null || kept === field.area.value) { localStorage.removeItem(key); return; }
      field.area.value = kept;
      field.say("Text som inte hann sparas är återställd.");
      field.save(revision);
    });
  };

  var fields = Array.prototype.map.call(
    form.querySelectorAll("textarea[data-section]"), function (area) { return new Field(area); });
  fields.forEach(function (field) { field.restore(); });
  window.addEventListener("online", function () {
    fields.forEach(function (field) { field.save(); });
  });

  // The figures of the ekonomisk rapport are saved only by "Spara": leaving the page with
  // some changed asks first. A text field is not asked about: this browser keeps it.
  var unsaved = false;
  form.querySelectorAll("table.figures input").forEach(function (input) {
    input.addEventListener("input", function () { unsaved = true; });
  });
  form.addEventListener("submit", function () { unsaved = false; });
  window.addEventListener("beforeunload", function (event) {
    if (!unsaved) { return; }
    event.preventDefault();
    event.returnValue = "";
  });

  // "Infoga": the key figure's marker at the cursor of the text field last written in.
  // Only a text section shows markers as figures (data-markers); a goal comment does not.
  var takesMarkers = fields.filter(function (field) { return field.area.hasAttribute("data-markers"); });
  var lastArea = takesMarkers.length ? takesMarkers[0].area : null;
  takesMarkers.forEach(function (field) {
    field.area.addEventListener("focus", function () { lastArea = field.area; });
  });
  document.querySelectorAll("[data-insert]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      if (!lastArea) { return; }
      var marker = button.getAttribute("data-insert");
      var start = lastArea.selectionStart, end = lastArea.selectionEnd;
      lastArea.value = lastArea.value.slice(0, start) + marker + lastArea.value.slice(end);
      lastArea.focus();
      lastArea.selectionStart = lastArea.selectionEnd = start + marker.length;
      lastArea.dispatchEvent(new Event("input"));
    });
  });
})();
