/*! fieldcase embed helper (resize.js) — MIT License
 *
 * Copyright (c) fieldcase contributors
 *
 * Permission is hereby granted, free of charge, to any person obtaining a
 * copy of this software and associated documentation files (the "Software"),
 * to deal in the Software without restriction, including without limitation
 * the rights to use, copy, modify, merge, publish, distribute, sublicense,
 * and/or sell copies of the Software, and to permit persons to whom the
 * Software is furnished to do so, subject to the following conditions: the
 * above copyright notice and this permission notice shall be included in all
 * copies or substantial portions of the Software. THE SOFTWARE IS PROVIDED
 * "AS IS", WITHOUT WARRANTY OF ANY KIND.
 *
 * Put it on the portal's page after an iframe marked `data-fieldcase`:
 *   <iframe data-fieldcase src="https://FIELDCASE/embed/PORTAL?origin=…&t=TOKEN"
 *           title="Report a problem" data-prefill-name="…" data-prefill-email="…"></iframe>
 *   <script src="https://FIELDCASE/embed/resize.js" async></script>
 * It sizes the iframe to the form's height, sends the prefill once the form
 * is ready, and re-dispatches the form's messages on the iframe as DOM
 * events: `fieldcase:ready`, `fieldcase:height`, `fieldcase:submitted`
 * (detail.reference), `fieldcase:error` (detail.code, detail.message).
 * Messages are taken only from the iframe's own window and origin.
 */
(function () {
  "use strict";
  if (window.fieldcaseEmbed) return;

  function frames() {
    return Array.prototype.slice.call(document.querySelectorAll("iframe[data-fieldcase]"));
  }

  function originOf(iframe) {
    try {
      return new URL(iframe.src, document.baseURI).origin;
    } catch (e) {
      return null;
    }
  }

  /** Send name and e-mail to the form (only to the form's origin). */
  function prefill(iframe, data) {
    var origin = originOf(iframe);
    if (!origin || !iframe.contentWindow) return;
    iframe.contentWindow.postMessage(
      { source: "fieldcase-parent", type: "prefill", name: data.name || "", email: data.email || "" },
      origin
    );
  }

  /** Set the form's look: accent, text, background colours and font. */
  function theme(iframe, data) {
    var origin = originOf(iframe);
    if (!origin || !iframe.contentWindow) return;
    var message = { source: "fieldcase-parent", type: "theme" };
    ["accent", "text", "background", "font"].forEach(function (k) {
      if (data[k]) message[k] = data[k];
    });
    iframe.contentWindow.postMessage(message, origin);
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.source !== "fieldcase") return;
    frames().forEach(function (iframe) {
      if (iframe.contentWindow !== event.source || originOf(iframe) !== event.origin) return;
      if (data.type === "height" && typeof data.height === "number" && data.height > 0) {
        iframe.style.height = Math.ceil(data.height) + "px";
      }
      if (data.type === "ready") {
        var name = iframe.getAttribute("data-prefill-name");
        var email = iframe.getAttribute("data-prefill-email");
        if (name || email) prefill(iframe, { name: name, email: email });
      }
      iframe.dispatchEvent(new CustomEvent("fieldcase:" + data.type, { detail: data, bubbles: true }));
    });
  });

  // The form says `ready` when it loads, which may be before this script
  // ran: ask each form to say it again (now, and whenever a frame loads).
  function hello(iframe) {
    var origin = originOf(iframe);
    if (origin && iframe.contentWindow) {
      iframe.contentWindow.postMessage({ source: "fieldcase-parent", type: "hello" }, origin);
    }
  }
  frames().forEach(function (iframe) {
    hello(iframe);
    iframe.addEventListener("load", function () { hello(iframe); });
  });

  window.fieldcaseEmbed = { prefill: prefill, theme: theme, hello: hello };
})();
