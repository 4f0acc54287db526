// Small helps for the pages; every page works without them.
"use strict";

document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const text = button.getAttribute("data-copy");
  const status = document.getElementById(button.getAttribute("aria-controls"));
  try {
    await navigator.clipboard.writeText(text);
    if (status) status.textContent = "Address copied.";
  } catch {
    if (status) status.textContent = "Copy did not work here: select the address and copy it.";
  }
});

// Changing a filter on the home page applies it at once (the Show button stays for no-JS use).
const filters = document.querySelector("form.filters");
if (filters) {
  filters.addEventListener("change", (event) => {
    if (event.target.matches("select")) filters.requestSubmit();
  });
}
