/* Respondent pages, improved when a script runs. Every page works without it:
   - the focus goes to the error summary;
   - on the kiosk, an inactivity timer, and the thank-you page returns to the start;
   - a form is not sent while the tablet is offline, but once it is back online;
   - answers are saved as the person answers (the same POST as "Nästa", with go_to=save),
     url-encoded as the form itself posts (multipart cost the server 20 times as much to
     read, bench/respond_load.py);
   - the row of eleven marks of a visual analogue line becomes a slider that records one
     decimal: tap or drag, arrow keys ±0.1, Page Up/Down ±1, Home/End, and a clear button.
     Browsers without pointer events (iOS 12 and older) keep the row of marks. */
(function () {
  'use strict';

  function focusErrorSummary() {
    var summary = document.querySelector('[data-error-summary]');
    if (summary) { summary.focus(); }
  }

  function saveAsYouGo(form) {
    if (!window.fetch || !window.FormData) { return; }
    var timer;
    form.addEventListener('change', function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var data = new FormData(form);
        data.append('go_to', 'save');
        if (window.URLSearchParams) { data = new URLSearchParams(data); }
        fetch(form.getAttribute('action'), { method: 'POST', body: data, credentials: 'same-origin' })
          .catch(function () { /* "Nästa" saves the page anyway */ });
      }, 300);
    });
  }

  function clamp(value) {
    return Math.round(Math.min(10, Math.max(0, value)) * 10) / 10;
  }

  function enhanceLine(group) {
    var radios = group.querySelectorAll('input[type="radio"]');
    var checked = group.querySelector('input:checked');
    var marks = group.querySelector('.vas-marks');
    var clearChoice = group.querySelector('.vas-clear');
    var rtl = window.getComputedStyle(group).direction === 'rtl';
    var track = document.createElement('div');
    var thumb = document.createElement('div');
    var clear = document.createElement('button');
    var hidden = document.createElement('input');
    var percent = window.Intl ? new Intl.NumberFormat(document.documentElement.lang, { style: 'percent' }) : null;
    var value = checked && checked.value !== '' ? parseFloat(checked.value) : null;
    var before = null;
    var dragging = false;
    var keys = { ArrowUp: 0.1, ArrowDown: -0.1, PageUp: 1, PageDown: -1,
                 ArrowRight: rtl ? -0.1 : 0.1, ArrowLeft: rtl ? 0.1 : -0.1 };
    var low = group.querySelector('.vas-ends > span:first-child').id;
    var high = group.querySelector('.vas-ends > span:last-child').id;

    function show(next) {
      value = next;
      hidden.value = next === null ? '' : next.toFixed(1);
      track.classList.toggle('is-set', next !== null);
      track.style.setProperty('--vas-at', (next === null ? 0 : next * 10) + '%');
      track.setAttribute('aria-valuenow', next === null ? 0 : next);
      track.setAttribute('aria-valuetext', next === null ? group.getAttribute('data-unset')
        : (percent ? percent.format(next / 10) : Math.round(next * 10) + ' %'));
      clear.hidden = next === null;
    }

    function saved() {
      hidden.dispatchEvent(new Event('change', { bubbles: true }));
    }

    function valueAt(x) {
      var box = track.getBoundingClientRect();
      var share = (x - box.left) / box.width;
      return clamp((rtl ? 1 - share : share) * 10);
    }

    hidden.type = 'hidden';
    hidden.name = radios[0].name;
    track.id = radios[0].id;  /* links in the error summary now land on the slider */
    radios[0].removeAttribute('id');
    track.className = 'vas-track';
    track.tabIndex = 0;
    track.setAttribute('role', 'slider');
    track.setAttribute('aria-valuemin', '0');
    track.setAttribute('aria-valuemax', '10');
    track.setAttribute('aria-labelledby', group.querySelector('legend').id);
    track.setAttribute('aria-describedby', [low, high, group.getAttribute('aria-describedby') || ''].join(' ').trim());
    if (group.getAttribute('aria-invalid')) { track.setAttribute('aria-invalid', 'true'); }
    ['role', 'aria-invalid', 'aria-required', 'aria-describedby'].forEach(function (name) {
      group.removeAttribute(name);
    });
    thumb.className = 'vas-thumb';
    track.appendChild(thumb);
    clear.type = 'button';
    clear.className = 'secondary';
    clear.textContent = clearChoice.textContent.trim();
    Array.prototype.forEach.call(radios, function (radio) { radio.disabled = true; });
    marks.hidden = true;
    clearChoice.hidden = true;
    marks.parentNode.insertBefore(track, marks);
    marks.parentNode.insertBefore(clear, marks);
    group.appendChild(hidden);
    show(value);

    track.addEventListener('pointerdown', function (event) {
      if (event.button > 0) { return; }
      before = value;
      dragging = true;
      track.setPointerCapture(event.pointerId);
      track.focus();
      show(valueAt(event.clientX));
    });
    track.addEventListener('pointermove', function (event) {
      if (dragging) { show(valueAt(event.clientX)); }
    });
    track.addEventListener('pointerup', function () {
      if (dragging) { dragging = false; saved(); }
    });
    track.addEventListener('pointercancel', function () {
      if (dragging) { dragging = false; show(before); }  /* the page scrolled: no mark was meant */
    });
    track.addEventListener('keydown', function (event) {
      var next;
      if (event.key === 'Home') { next = 0; }
      else if (event.key === 'End') { next = 10; }
      else if (Object.prototype.hasOwnProperty.call(keys, event.key)) { next = (value === null ? 0 : value) + keys[event.key]; }
      else { return; }
      event.preventDefault();
      show(clamp(next));
      saved();
    });
    clear.addEventListener('click', function () {
      show(null);
      saved();
      track.focus();
    });
  }

  /* The kiosk: after a while without a touch it asks "Är du kvar?"; unanswered, it goes
     back to the start screen (the server forgets an idle person too, script or not). */
  function kioskTimer(body) {
    var timeout = parseInt(body.getAttribute('data-kiosk-timeout'), 10) * 1000;
    var warning = parseInt(body.getAttribute('data-kiosk-warning'), 10) * 1000;
    var dialog = document.querySelector('[data-kiosk-dialog]');
    var leave = document.querySelector('form[data-kiosk-leave]');
    var asking = null;
    var idle = null;

    function ask() {
      dialog.hidden = false;
      dialog.querySelector('[data-kiosk-stay]').focus();
      asking = setTimeout(function () { leave.submit(); }, warning);
    }
    function touched() {
      if (!dialog.hidden) { return; }
      clearTimeout(idle);
      idle = setTimeout(ask, timeout);
    }
    dialog.querySelector('[data-kiosk-stay]').addEventListener('click', function () {
      clearTimeout(asking);
      dialog.hidden = true;
      touched();
    });
    ['pointerdown', 'keydown', 'input', 'scroll'].forEach(function (type) {
      document.addEventListener(type, touched, { passive: true, capture: true });
    });
    touched();
  }

  function returnByItself(link) {
    setTimeout(function () { window.location.assign(link.href); },
               parseInt(link.getAttribute('data-kiosk-return'), 10) * 1000);
  }

  /* Without a connection a form is not sent (the tablet would show the browser's error
     page): the person is told, and the page is sent once the connection is back. */
  function waitForConnection(form) {
    form.addEventListener('submit', function (event) {
      if (navigator.onLine !== false) { return; }
      event.preventDefault();
      var note = form.querySelector('[data-offline]');
      if (note) { note.hidden = false; }
      var button = event.submitter;
      window.addEventListener('online', function () {
        if (note) { note.hidden = true; }
        if (button && form.requestSubmit) { form.requestSubmit(button); } else { form.submit(); }
      }, { once: true });
    });
  }

  focusErrorSummary();
  if (document.body.hasAttribute('data-kiosk-timeout')) { kioskTimer(document.body); }
  Array.prototype.forEach.call(document.querySelectorAll('[data-kiosk-return]'), returnByItself);
  Array.prototype.forEach.call(document.querySelectorAll('form[method="post"]'), waitForConnection);
  Array.prototype.forEach.call(document.querySelectorAll('form[data-autosave]'), saveAsYouGo);
  if (window.PointerEvent) {
    Array.prototype.forEach.call(document.querySelectorAll('[data-vas]'), enhanceLine);
  }
})();
