// A chart view of results with a label column and a number column (conditions per inheritance
// pattern, entities per class …): horizontal bars drawn as SVG right here, with no chart library
// and nothing from the network. A YASR plugin: "Chart" beside "Table" above the results.
(function () {
  "use strict";
  const XSD = "http://www.w3.org/2001/XMLSchema#";
  const NUMERIC = new Set(["integer", "decimal", "double", "float", "long", "int", "short", "byte",
    "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
    "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"].map((t) => XSD + t));
  const SVG = "http://www.w3.org/2000/svg";
  const MAX_BARS = 60, ROW = 22, BAR = 420, CHAR = 7;
  const entityPage = JSON.parse(document.getElementById("kg-config").textContent).resource;

  const isNumber = (cell) => !!cell && cell.type !== "uri" && cell.type !== "bnode" &&
    NUMERIC.has(cell.datatype) && Number.isFinite(Number(cell.value));

  // The columns a chart needs: the first column of numbers in every row, and the first column
  // of text (or, failing one, of IRIs) to name the bars. Null when the results have none.
  function columns(results) {
    let variables, rows;
    try { variables = results.getVariables() || []; rows = results.getBindings() || []; } catch (error) { return null; }
    if (!rows.length) return null;
    const number = variables.find((v) => rows.every((row) => isNumber(row[v])));
    if (!number) return null;
    const others = variables.filter((v) => v !== number);
    const text = others.find((v) => rows.some((row) => row[v] && row[v].type !== "uri" && !isNumber(row[v])));
    const iri = others.find((v) => rows.some((row) => row[v] && row[v].type === "uri"));
    return text || iri ? { number, text, iri } : null;
  }

  function curie(iri, prefixes) {
    let best = null;
    for (const [prefix, namespace] of Object.entries(prefixes || {})) {
      if (iri.startsWith(namespace) && (!best || namespace.length > best[1].length)) best = [prefix, namespace];
    }
    return best ? `${best[0]}:${iri.slice(best[1].length)}` : iri;
  }

  function element(name, attributes, text) {
    const node = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // The bars as an SVG element: a label (a link to the entity's page when the row names one), a
  // bar as long as its share of the largest value, the value.
  function bars(data, caption) {
    const labelWidth = Math.min(280, Math.max(60, ...data.map((d) => d.label.length * CHAR)) + 8);
    const largest = Math.max(0, ...data.map((d) => d.value)) || 1;
    const width = labelWidth + BAR + 90, height = data.length * ROW + 8;
    const svg = element("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": caption });
    data.forEach((d, index) => {
      const y = 4 + index * ROW, length = Math.max(0, (d.value / largest) * BAR);
      const label = d.label.length > 40 ? d.label.slice(0, 39) + "…" : d.label;
      const text = element("text", { x: labelWidth - 8, y: y + 15, "text-anchor": "end", class: "label" }, label);
      text.appendChild(element("title", {}, d.iri ? `${d.label} — ${d.iri}` : d.label));
      let named = text;
      if (d.href) {
        named = element("a", { href: d.href, class: "entity" });
        named.appendChild(text);
      }
      svg.append(named, element("rect", { x: labelWidth, y: y + 3, width: length.toFixed(1), height: ROW - 6, rx: 2 }),
        element("text", { x: labelWidth + length + 5, y: y + 15, class: "value" }, d.value.toLocaleString("en")));
    });
    return svg;
  }

  class Chart {
    constructor(yasr) {
      this.yasr = yasr;
      this.priority = 5; // below the table: the table stays the first view
      this.label = "Chart";
    }

    canHandleResults() {
      return !!this.yasr.results && columns(this.yasr.results) !== null;
    }

    draw() {
      const chosen = columns(this.yasr.results);
      const prefixes = this.yasr.getPrefixes();
      const rows = this.yasr.results.getBindings();
      const name = (row) => (chosen.text && row[chosen.text] ? row[chosen.text].value
        : chosen.iri && row[chosen.iri] ? curie(row[chosen.iri].value, prefixes) : "—");
      const page = (row) => {
        const iri = chosen.iri && row[chosen.iri] ? row[chosen.iri].value : null;
        return iri ? { iri, href: `${entityPage}?${new URLSearchParams({ iri })}` } : {};
      };
      const data = rows.slice(0, MAX_BARS).map((row) => ({ label: name(row), value: Number(row[chosen.number].value), ...page(row) }));
      const caption = `${chosen.number} by ${chosen.text || chosen.iri}`;
      const wrapper = document.createElement("div");
      wrapper.className = "kg-chart";
      const title = document.createElement("p");
      title.className = "note";
      title.textContent = caption + (rows.length > MAX_BARS ? ` (the first ${MAX_BARS} of ${rows.length} rows)` : "");
      wrapper.append(title, bars(data, caption));
      this.yasr.resultsEl.appendChild(wrapper);
    }

    getIcon() {
      const icon = element("svg", { viewBox: "0 0 16 16", width: 16, height: 16, "aria-hidden": "true" });
      [[1, 2, 12], [1, 7, 8], [1, 12, 5]].forEach(([x, y, w]) => icon.appendChild(element("rect", { x, y, width: w, height: 3 })));
      return icon;
    }
  }

  Yasgui.Yasr.registerPlugin("chart", Chart);
})();
