// Progressive enhancement only: every page reads without JavaScript.
import { initAll } from "../nhsuk/nhsuk-frontend.min.js";

// The design system starts only on a page that says the browser supports it; a browser running this
// module does (the template's inline snippet would need a CSP nonce on every page, the 500 page has none).
document.body.classList.add("nhsuk-frontend-supported");
initAll();

// Type-ahead pickers (issue 17): a select with data-picker="<JSON endpoint>" gets a search box above it;
// typing asks the endpoint (the same access rules as the form) and offers the matches in the select.
// Without JavaScript the select lists every choice, and the form works the same.
function enhancePicker(select) {
  const input = document.createElement("input");
  input.type = "search";
  input.className = "nhsuk-input registry-picker__search";
  input.id = `${select.id}-search`;
  input.setAttribute("autocomplete", "off");
  input.setAttribute("aria-controls", select.id);
  const label = document.createElement("label");
  label.className = "nhsuk-label nhsuk-u-font-size-16";
  label.htmlFor = input.id;
  label.textContent = "Search";
  select.before(label, input);
  let timer = null;
  let asked = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const number = ++asked;
      const url = `${select.dataset.picker}?q=${encodeURIComponent(input.value.trim())}`;
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok || number !== asked) return;
      const { results } = await response.json();
      const chosen = select.value;
      const keep = [...select.options].filter((option) => option.value === "" || option.value === chosen);
      select.replaceChildren(...keep);
      for (const result of results) {
        if (String(result.id) === chosen) continue;
        select.add(new Option(result.label, result.id));
      }
      if (results.length && !chosen) select.value = String(results[0].id);
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }, 200);
  });
}

document.querySelectorAll("select[data-picker]").forEach(enhancePicker);
