// Porch in a browser tab. Loaded before textual.js, from this computer only.
//
// - Leaving the page leaves the room, so closing or reloading the tab asks first.
// - When the connection ends, the page says why in a sentence.
"use strict";
(() => {
  const NativeWebSocket = window.WebSocket;
  let live = false;

  const SENTENCES = {
    left: "You left the room, and this tab kept nothing. Open Porch again to start over.",
    stopped:
      "porch web has stopped on this computer, and the room was left. " +
      "Start porch web again for a new link.",
    elsewhere:
      "Porch is already open in another tab of this browser. Use that tab, " +
      "or close it and open Porch again here.",
    session:
      "This tab's Porch session is no longer valid. Open the link porch web printed " +
      "(each link works once; start porch web again for a new one).",
    lost: "The connection to porch web was lost, and the room was left. Open Porch again to start over.",
  };

  function say(key) {
    const message = document.getElementById("closed-message");
    if (message) message.textContent = SENTENCES[key];
    document.body.dataset.ended = key;
    document.body.classList.add("-closed");
  }

  async function explain(code) {
    if (code === 1000) return say("left");
    if (code === 1001) return say("stopped");
    try {
      const answer = await fetch("/", { method: "HEAD", cache: "no-store" });
      if (answer.status === 409) return say("elsewhere");
      if (answer.status === 403) return say("session");
      return say("lost");
    } catch (error) {
      return say("stopped");
    }
  }

  class PorchSocket extends NativeWebSocket {
    constructor(url, protocols) {
      super(url, protocols);
      this.addEventListener("open", () => {
        live = true;
      });
      this.addEventListener("close", (event) => {
        live = false;
        explain(event.code);
      });
    }
  }
  window.WebSocket = PorchSocket;

  window.addEventListener("beforeunload", (event) => {
    if (live) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  window.addEventListener("DOMContentLoaded", () => {
    const restart = document.getElementById("restart");
    if (restart) restart.addEventListener("click", () => window.location.reload());
  });
})();
