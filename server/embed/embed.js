// fieldcase's embedded intake form: the enhancement of the server-rendered
// page (no framework, no build step). It talks to the parent page only at
// the origin the server checked against the portal's registration, takes
// prefill and theme only from that origin, and calls fieldcase's embed API
// with the page's embed session as a bearer token (never a cookie).
(function () {
  "use strict";

  // Every word this script shows, in one place: English here, the page's
  // language from the <meta name="fieldcase-words"> the server writes into
  // a page that is not in English (server/src/i18n.rs; the keys are what
  // its t() calls are given).
  var TRANSLATED = {};
  try {
    TRANSLATED = JSON.parse(document.querySelector('meta[name="fieldcase-words"]').content);
  } catch (e) {}
  function t(english) {
    return TRANSLATED[english] || english;
  }
  var WORDS = {
    uploading: t("Uploading…"),
    uploaded: t("Added"),
    uploadFailed: t("Not added: "),
    remove: t("Remove"),
    photoOf: t("Photo: "),
    sending: t("Sending your report…"),
    waitPhotos: t("Wait until the photos are added, then send again."),
    chooseAsset: t("Choose the equipment the problem is on."),
    describe: t("Describe what is wrong."),
    giveName: t("Enter your name."),
    offline: t("Your report could not be sent: check your connection, then send again. Nothing you typed is lost."),
    sessionEnded: t("This form has been open too long. Reload the page and send your report again."),
  };

  var main = document.getElementById("embed");
  if (!main) return;
  var parentOrigin = main.getAttribute("data-parent-origin");
  var session = main.getAttribute("data-session");
  var framed = window.parent && window.parent !== window;

  function post(message) {
    if (!framed || !parentOrigin) return;
    message.source = "fieldcase";
    window.parent.postMessage(message, parentOrigin);
  }

  // Height: the parent (resize.js) sizes the iframe to the page.
  var lastHeight = 0;
  function sendHeight() {
    var h = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (h !== lastHeight) {
      lastHeight = h;
      post({ type: "height", height: h });
    }
  }
  if (window.ResizeObserver) new ResizeObserver(sendHeight).observe(document.documentElement);
  window.addEventListener("load", sendHeight);

  // Look: CSS custom properties, set through the CSSOM (the policy allows
  // no inline style). Only plain colours and font names are taken.
  var COLOUR = /^#(?:[0-9a-fA-F]{3}){1,2}$|^(?:rgb|hsl)a?\([0-9.,%\s]+\)$/;
  var FONT = /^[\w\s,'"-]{1,200}$/;
  function setTheme(t) {
    var root = document.documentElement.style;
    if (typeof t.accent === "string" && COLOUR.test(t.accent)) root.setProperty("--fc-accent", t.accent);
    if (typeof t.text === "string" && COLOUR.test(t.text)) root.setProperty("--fc-text", t.text);
    if (typeof t.background === "string" && COLOUR.test(t.background)) root.setProperty("--fc-background", t.background);
    if (typeof t.font === "string" && FONT.test(t.font)) root.setProperty("--fc-font", t.font);
  }
  if (main.getAttribute("data-accent")) setTheme({ accent: main.getAttribute("data-accent") });

  // The parent's helper may load after this page said `ready`: it says
  // `hello`, and is told again.
  var state = main.getAttribute("data-state");
  function announce() {
    lastHeight = 0;
    if (state === "error") {
      var text = main.querySelector(".problem-text");
      post({ type: "error", code: main.getAttribute("data-code"), message: text ? text.textContent : "" });
    }
    post({ type: "ready", state: state });
    sendHeight();
  }
  window.addEventListener("message", function (event) {
    if (event.origin !== parentOrigin || event.source !== window.parent) return;
    var d = event.data;
    if (d && d.source === "fieldcase-parent" && d.type === "hello" && state !== "done") announce();
  });

  if (state === "error") {
    announce();
    return;
  }

  var form = document.getElementById("report");
  var notes = document.getElementById("notes");
  var nameInput = document.getElementById("name");
  var emailInput = document.getElementById("email");
  var photoInput = document.getElementById("photos");
  var photoList = document.getElementById("photo-list");
  var problem = document.getElementById("problem");
  var status = document.getElementById("status");
  var submit = document.getElementById("submit");
  var touched = { name: false, email: false };
  nameInput.addEventListener("input", function () { touched.name = true; });
  emailInput.addEventListener("input", function () { touched.email = true; });

  window.addEventListener("message", function (event) {
    if (event.origin !== parentOrigin || event.source !== window.parent) return;
    var d = event.data;
    if (!d || d.source !== "fieldcase-parent") return;
    if (d.type === "prefill") {
      // The customer's own typing wins over the parent's prefill.
      if (typeof d.name === "string" && d.name && !touched.name) nameInput.value = d.name.slice(0, 80);
      if (typeof d.email === "string" && d.email && !touched.email) emailInput.value = d.email.slice(0, 254);
    } else if (d.type === "theme") {
      setTheme(d);
    }
  });

  function assetId() {
    var hidden = form.querySelector('input[type="hidden"][name="asset"]');
    if (hidden) return hidden.value;
    var checked = form.querySelector('input[name="asset"]:checked');
    return checked ? checked.value : "";
  }

  function api(method, path, body, isJson) {
    var headers = { Authorization: "Bearer " + session };
    if (isJson) headers["Content-Type"] = "application/json";
    return fetch(path, { method: method, headers: headers, body: body, credentials: "omit" }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (json) {
        return { status: r.status, ok: r.ok, json: json };
      });
    });
  }

  // Photos: each uploads as soon as it is chosen, for the asset chosen
  // then; choosing another asset uploads them again for that one.
  var photos = []; // { file, url, sha256, asset, state, li }
  function renderPhoto(p) {
    var label = p.li.querySelector(".photo-state");
    label.textContent =
      p.state === "uploading" ? WORDS.uploading : p.state === "done" ? WORDS.uploaded : WORDS.uploadFailed + (p.error || "");
    p.li.className = "photo photo-" + p.state;
  }
  function upload(p) {
    var asset = assetId();
    if (!asset) { p.state = "waiting"; p.error = WORDS.chooseAsset; renderPhoto(p); return; }
    p.state = "uploading";
    p.asset = asset;
    renderPhoto(p);
    var data = new FormData();
    data.append("photo", p.file, p.file.name || "photo");
    api("POST", "/api/v1/embed/assets/" + encodeURIComponent(asset) + "/photos", data, false)
      .then(function (r) {
        if (photos.indexOf(p) < 0 || p.asset !== asset) return;
        if (r.ok) { p.state = "done"; p.sha256 = r.json.sha256; }
        else { p.state = "failed"; p.error = r.json.message || ""; }
        renderPhoto(p);
      })
      .catch(function () { p.state = "failed"; p.error = WORDS.offline; renderPhoto(p); });
  }
  photoInput.addEventListener("change", function () {
    Array.prototype.forEach.call(photoInput.files, function (file) {
      var li = document.createElement("li");
      var img = document.createElement("img");
      var url = URL.createObjectURL(file);
      img.src = url;
      img.alt = WORDS.photoOf + (file.name || "");
      var state = document.createElement("span");
      state.className = "photo-state";
      var remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = WORDS.remove;
      remove.setAttribute("aria-label", WORDS.remove + " " + (file.name || ""));
      li.appendChild(img);
      li.appendChild(state);
      li.appendChild(remove);
      photoList.appendChild(li);
      var p = { file: file, url: url, li: li, state: "uploading" };
      remove.addEventListener("click", function () {
        photos.splice(photos.indexOf(p), 1);
        URL.revokeObjectURL(url);
        li.remove();
        photoInput.focus();
      });
      photos.push(p);
      upload(p);
    });
    photoInput.value = "";
    changed();
  });
  form.addEventListener("change", function (e) {
    if (e.target && e.target.name === "asset") {
      photos.forEach(function (p) { if (p.asset !== assetId()) upload(p); });
    }
  });

  // The intake's id is made once, before the first attempt: a retry of the
  // same report never makes a second intake. Changing the report after a
  // failed attempt makes a new one.
  var intakeId = null;
  function changed() { intakeId = null; }
  form.addEventListener("input", changed);

  function uuidv7() {
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    var ms = Date.now();
    for (var i = 5; i >= 0; i--) { b[i] = ms % 256; ms = Math.floor(ms / 256); }
    b[6] = (b[6] & 0x0f) | 0x70;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function showProblem(message, field) {
    problem.textContent = message;
    [notes, nameInput, emailInput].forEach(function (el) { el.removeAttribute("aria-invalid"); });
    if (field) { field.setAttribute("aria-invalid", "true"); field.focus(); }
    post({ type: "error", code: "invalid", message: message });
  }

  // Which of the form's inputs a field error from the server is about.
  function inputFor(fields) {
    var keys = Object.keys(fields || {});
    for (var i = 0; i < keys.length; i++) {
      var k = keys[i].toLowerCase();
      if (k === "notes" || k === "subject" || k === "description") return notes;
      if (k.indexOf("email") >= 0) return emailInput;
      if (k.indexOf("name") >= 0) return nameInput;
    }
    return null;
  }

  var sending = false;
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (sending) return;
    var asset = assetId();
    if (!asset) return showProblem(WORDS.chooseAsset, form.querySelector('input[name="asset"]'));
    if (!notes.value.trim()) return showProblem(WORDS.describe, notes);
    if (!nameInput.value.trim()) return showProblem(WORDS.giveName, nameInput);
    if (photos.some(function (p) { return p.state !== "done" || p.asset !== asset; })) {
      photos.forEach(function (p) { if (p.state === "failed" || p.asset !== asset) upload(p); });
      return showProblem(WORDS.waitPhotos, null);
    }
    problem.textContent = "";
    if (!intakeId) intakeId = uuidv7();
    var body = {
      id: intakeId,
      asset_id: asset,
      notes: notes.value,
      name: nameInput.value.trim(),
      photos: photos.map(function (p) { return p.sha256; }),
    };
    if (emailInput.value.trim()) body.email = emailInput.value.trim();
    sending = true;
    submit.disabled = true;
    status.textContent = WORDS.sending;
    api("PUT", "/api/v1/embed/intakes/" + intakeId, JSON.stringify(body), true)
      .then(function (r) {
        if (r.ok) return done(r.json);
        status.textContent = "";
        if (r.status === 401) return showProblem(WORDS.sessionEnded, null);
        var message = r.json.message || WORDS.offline;
        var fieldMessages = r.json.fields ? Object.keys(r.json.fields).map(function (k) { return r.json.fields[k]; }) : [];
        showProblem(fieldMessages.length ? message + " " + fieldMessages.join(" ") : message, inputFor(r.json.fields));
      })
      .catch(function () { status.textContent = ""; showProblem(WORDS.offline, null); })
      .then(function () { sending = false; submit.disabled = false; });
  });

  function done(receipt) {
    document.getElementById("reference").textContent = receipt.reference;
    form.hidden = true;
    var section = document.getElementById("done");
    section.hidden = false;
    status.textContent = "";
    document.getElementById("done-heading").focus();
    state = "done";
    post({ type: "submitted", reference: receipt.reference, id: receipt.id });
    sendHeight();
  }

  announce();
})();
