// Search as you type: /api/search fills the suggestions; choosing one opens its page.
(function () {
  "use strict";
  const input = document.getElementById("search");
  if (!input) return;
  const list = document.getElementById("search-hits");
  let hits = [];
  let pending;
  input.addEventListener("input", () => {
    const chosen = hits.find((hit) => hit.label === input.value || hit.matched === input.value);
    if (chosen) { window.location.href = chosen.href; return; }
    clearTimeout(pending);
    pending = setTimeout(async () => {
      if (!input.value.trim()) return;
      const response = await fetch(`${input.dataset.api}?${new URLSearchParams({ q: input.value, limit: "12" })}`);
      if (!response.ok) return;
      hits = await response.json();
      list.replaceChildren(...hits.map((hit) => {
        const option = document.createElement("option");
        option.value = hit.kind === "definition" ? hit.label : hit.matched;
        option.label = hit.curie ? `${hit.label} (${hit.curie})` : hit.label;
        return option;
      }));
    }, 150);
  });
  input.form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (hits.length) window.location.href = hits[0].href;
  });
})();
