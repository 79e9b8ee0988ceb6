// The counter's "print the receipt" button on /staff/appeal/new (issue 13). Plain JavaScript,
// not an island (the WASM bundle's budget is spent), loaded by that page only when a receipt is
// shown. The button is in the page, hidden; this reveals it and opens the browser's print
// dialog. Without JavaScript the page says to use the browser's own print command instead, and
// the print style sheet leaves the receipt alone on the sheet either way.
(() => {
  const button = document.getElementById("intake-print");
  if (!button || typeof window.print !== "function") return;
  button.hidden = false;
  button.addEventListener("click", () => window.print());
})();
