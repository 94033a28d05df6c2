// The query page: YASGUI over our endpoint, with completion from our own prefixes and terms
// and entities from the search index (no request leaves this server), saved queries as
// one-click examples, a chart view (chart.js), downloads in every format and a shareable link.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("kg-config").textContent);
  const Yasqe = Yasgui.Yasqe;
  const RESULT_FORMATS = { json: "SPARQL JSON", xml: "SPARQL XML", csv: "CSV", tsv: "TSV" };
  const GRAPH_FORMATS = { ttl: "Turtle", nt: "N-Triples", jsonld: "JSON-LD", rdf: "RDF/XML", nq: "N-Quads", trig: "TriG" };

  // Every prefix a query may use undeclared: typing one adds its PREFIX line (YASQE's prefix
  // completer does it with the list it is given), so that a copied query runs anywhere.
  const prefixLines = Object.entries(config.declared).map(([p, iri]) => `${p}: <${iri}>`).sort();
  const matching = (iris) => (yasqe, token) => {
    const wanted = (token && token.autocompletionString ? token.autocompletionString : "").toLowerCase();
    return Promise.resolve(iris.filter((iri) => iri.toLowerCase().includes(wanted)));
  };

  // Completion from this graph only: the remote completers (prefix.cc, LOV) are replaced.
  Yasqe.forkAutocompleter("prefixes", { name: "kg-prefixes", persistenceId: null, get: () => prefixLines }, false);
  Yasqe.forkAutocompleter("property", { name: "kg-properties", bulk: false, get: matching(config.properties) }, false);
  Yasqe.forkAutocompleter("class", { name: "kg-classes", bulk: false, get: matching(config.classes) }, false);
  Yasqe.defaults.autocompleters = ["variables", "kg-prefixes", "kg-properties", "kg-classes", "kg-entities"];

  const fromUrl = new URLSearchParams(window.location.search).get("query");
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: config.endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: () => [{ endpoint: config.endpoint }] },
    persistenceId: null,
    populateFromUrl: false,
    yasqe: { value: fromUrl || config.first, resizeable: true },
    yasr: { prefixes: config.prefixes, maxPersistentResponseSize: 0 },
  });

  const tab = () => yasgui.getTab();
  const currentQuery = () => tab().getYasqe().getValue();

  function updateLinks() {
    const query = currentQuery();
    const type = (tab().getYasqe().getQueryType() || "SELECT").toUpperCase();
    const formats = type === "CONSTRUCT" || type === "DESCRIBE" ? GRAPH_FORMATS : RESULT_FORMATS;
    const links = document.getElementById("download-links");
    links.replaceChildren(...Object.entries(formats).map(([format, label]) => {
      const a = document.createElement("a");
      a.href = `${config.endpoint}?${new URLSearchParams({ query, format })}`;
      a.textContent = label;
      a.setAttribute("download", `results.${format}`);
      return a;
    }));
    document.getElementById("share").href = `${window.location.pathname}?${new URLSearchParams({ query })}`;
  }

  function run(query) {
    tab().setQuery(query);
    tab().getYasqe().query();
  }

  for (const link of document.querySelectorAll("#examples a.example")) {
    const example = config.examples.find((e) => e.name === link.dataset.name);
    link.addEventListener("click", (event) => {
      event.preventDefault();
      run(example.query);
      updateLinks();
    });
  }
  // An IRI in the results opens its page here (which links on to the IRI itself): the link is
  // pointed there as the pointer or the focus reaches it, so it holds for every page of the table.
  function toEntityPage(event) {
    const link = event.target.closest && event.target.closest("a.iri");
    if (!link || link.dataset.iri) return;
    link.dataset.iri = link.getAttribute("href");
    link.href = `${config.resource}?${new URLSearchParams({ iri: link.dataset.iri })}`;
    link.title = link.dataset.iri;
    link.target = "_self";
  }
  for (const type of ["pointerover", "focusin", "click"]) {
    document.getElementById("yasgui").addEventListener(type, toEntityPage, true);
  }

  tab().getYasqe().on("change", updateLinks);
  document.getElementById("share").addEventListener("click", (event) => {
    event.preventDefault();
    updateLinks();
    window.history.replaceState(null, "", event.currentTarget.href);
    navigator.clipboard && navigator.clipboard.writeText(window.location.href).catch(() => {});
  });
  updateLinks();
  if (fromUrl) tab().getYasqe().query();
  window.kgQueryPage = { yasgui, run };
})();
