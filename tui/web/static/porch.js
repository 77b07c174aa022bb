// Porch in a browser tab. Loaded before textual.js, from this computer only.
//
// - Leaving the page leaves the room, so closing or reloading the tab asks first.
//   A tab reloaded after that does not start Porch again by itself: it says the
//   room was left and offers "Open Porch again".
// - When the connection ends, the page says why in a sentence.
// - When the browser refuses Porch its clipboard, the page shows what Porch was
//   copying (the invite), selected, for the person to copy with the keyboard.
"use strict";
(() => {
  const NativeWebSocket = window.WebSocket;
  // Set while this page's socket is open, cleared when the page sees the socket end. A page
  // that finds it set was loaded in place of a live page: a reload, which left the room.
  // (window.name lives in the tab, in memory, across a reload of the same site only.)
  const LIVE = "porch-live";
  let live = false;

  const SENTENCES = {
    left: "You left the room, and this tab kept nothing. Open Porch again to start over.",
    reloaded:
      "This page was reloaded, which left the room, and this tab kept nothing. " +
      "Open Porch again to start over.",
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
    clipboard:
      "This browser did not let Porch use its clipboard. Here is what Porch was copying, " +
      "selected: press Ctrl+C (on a Mac, Cmd+C) to copy it, then Esc to go back.",
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
        window.name = LIVE;
      });
      this.addEventListener("close", (event) => {
        live = false;
        window.name = "";
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

  // -- the clipboard ---------------------------------------------------------------
  // The terminal copies with navigator.clipboard.writeText (the app sends OSC 52).
  // Browsers refuse it on a page that is not focused, without permission, or not on a
  // secure origin (a --public address over plain HTTP has no clipboard at all).

  function offerToCopy(text) {
    const field = document.getElementById("copy-text");
    if (!field) return;
    document.getElementById("copy-message").textContent = SENTENCES.clipboard;
    field.value = text;
    document.body.classList.add("-copying");
    field.focus();
    field.select();
  }

  function closeCopy() {
    document.body.classList.remove("-copying");
    const terminal = document.querySelector(".xterm-helper-textarea");
    if (terminal) terminal.focus();
  }

  const clipboard = navigator.clipboard;
  if (clipboard && clipboard.writeText) {
    const write = clipboard.writeText.bind(clipboard);
    clipboard.writeText = (text) =>
      write(text).catch((error) => {
        offerToCopy(text);
        throw error;
      });
  } else {
    Object.defineProperty(navigator, "clipboard", {
      value: {
        writeText: (text) => {
          offerToCopy(text);
          return Promise.reject(new Error("no clipboard on this page"));
        },
        readText: () => Promise.resolve(""),
      },
    });
  }

  // -- the size, ahead ----------------------------------------------------------------
  // The app behind the tab is already running, at a stand-in size. This page knows the
  // terminal's size before the terminal connects (xterm.js fills the window and measures
  // one "W" of the font, as here), so it sends it ahead: the app draws at it while
  // textual.js loads. A wrong guess costs nothing; the terminal sends its own on connecting.
  async function sizeAhead(element) {
    if (typeof OffscreenCanvas === "undefined" || !document.fonts) return;
    const font = `${element.dataset.fontSize}px 'Roboto Mono', Monaco, 'Courier New', monospace`;
    await document.fonts.load(font);
    const context = new OffscreenCanvas(100, 100).getContext("2d");
    context.font = font;
    const metrics = context.measureText("W");
    const ratio = window.devicePixelRatio || 1;
    const width = Math.floor(metrics.width * ratio) / ratio;
    const height =
      Math.ceil((metrics.fontBoundingBoxAscent + metrics.fontBoundingBoxDescent) * ratio) / ratio;
    if (!(width > 0 && height > 0)) return;
    const columns = Math.floor(window.innerWidth / width);
    const rows = Math.floor(window.innerHeight / height);
    document.body.dataset.sizeAhead = `${columns}x${rows}`;
    await fetch(`/size?width=${columns}&height=${rows}`, { method: "POST", cache: "no-store" });
  }

  window.addEventListener("DOMContentLoaded", () => {
    const restart = document.getElementById("restart");
    if (restart)
      restart.addEventListener("click", () => {
        window.name = "";
        window.location.reload();
      });
    const done = document.getElementById("copy-done");
    if (done) done.addEventListener("click", closeCopy);
    const field = document.getElementById("copy-text");
    if (field)
      field.addEventListener("keydown", (event) => {
        if (event.key === "Escape") closeCopy();
      });

    if (window.name === LIVE) {
      // The person confirmed leaving: start nothing until they ask (textual.js starts
      // a terminal for each .textual-terminal when the page has loaded).
      window.name = "";
      const terminal = document.getElementById("terminal");
      if (terminal) terminal.classList.remove("textual-terminal");
      say("reloaded");
    } else {
      const terminal = document.getElementById("terminal");
      if (terminal) sizeAhead(terminal).catch(() => {});
    }
  });
})();
