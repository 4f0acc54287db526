// Keyboard shortcuts for a desk working through many proposals; the page works without them.
// j / k move between proposals, a accepts the one in focus, r rejects it, e edits its title,
// ? shows or hides the list of keys. Keys typed into a field are left alone.
"use strict";

const proposals = Array.from(document.querySelectorAll("article[data-proposal]"));
const keys = document.querySelector("details.keys");

function inField(target) {
  return target instanceof Element && target.closest("input, textarea, select, [contenteditable]");
}

function current() {
  const focused = document.activeElement;
  return focused instanceof Element ? focused.closest("article[data-proposal]") : null;
}

function move(step) {
  if (!proposals.length) return;
  const at = proposals.indexOf(current());
  const next = at < 0 ? (step > 0 ? 0 : proposals.length - 1) : at + step;
  const target = proposals[Math.min(Math.max(next, 0), proposals.length - 1)];
  target.focus();
  target.scrollIntoView({ block: "nearest" });
}

function use(key) {
  const proposal = current();
  const control = proposal && proposal.querySelector(`[data-key="${key}"]`);
  if (!control) return;
  if (key === "e") {
    control.focus();
    control.select();
  } else {
    control.click();
  }
}

function toggleKeys() {
  if (!keys) return;
  keys.open = !keys.open;
  if (keys.open) keys.querySelector("summary").focus();
}

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || inField(event.target)) return;
  if (event.key === "j") move(1);
  else if (event.key === "k") move(-1);
  else if (event.key === "a" || event.key === "r" || event.key === "e") use(event.key);
  else if (event.key === "?") toggleKeys();
  else if (event.key === "Escape" && keys && keys.open) keys.open = false;
  else return;
  event.preventDefault();
});

// A decision lands on the next proposal that waits, named in the address: start there.
const landed = document.getElementById(location.hash.slice(1));
if (landed && landed.matches("article[data-proposal]")) landed.focus();
