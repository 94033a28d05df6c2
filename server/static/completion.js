// Entity completion in the editor: a word typed where a term may go (neutropenia, CD40LG …) is
// looked up in the search index (/api/search), and choosing a suggestion puts the entity's IRI
// in its place — as a prefixed name when one of our prefixes fits (the editor then adds the
// PREFIX line), else as <IRI>.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("kg-config").textContent);
  const WORD = /^[A-Za-z][A-Za-z0-9_-]{2,}$/;
  const LOCAL = /^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?$/;
  const KEYWORDS = new Set(("select construct describe ask where from named prefix base optional union minus graph " +
    "service silent filter bind values as order by group having limit offset distinct reduced not in exists " +
    "true false undef asc desc count sum min max avg sample group_concat separator").split(" "));
  const shown = new Map(); // the text a suggestion inserts → what the list shows for it

  // The prefixed name with the longest namespace (the one results show, on a tie), else <iri>.
  function term(iri) {
    let best = null;
    for (const [prefix, namespace] of Object.entries(config.declared)) {
      const local = iri.slice(namespace.length);
      if (!iri.startsWith(namespace) || !LOCAL.test(local)) continue;
      const preferred = config.prefixes[prefix] === namespace;
      if (!best || namespace.length > best.namespace.length ||
          (namespace.length === best.namespace.length && preferred && !best.preferred)) {
        best = { prefix, namespace, local, preferred };
      }
    }
    return best ? `${best.prefix}:${best.local}` : `<${iri}>`;
  }

  function plainWord(yasqe) {
    const token = yasqe.getCompleteToken();
    const type = token.type || "";
    return WORD.test(token.string) && !KEYWORDS.has(token.string.toLowerCase()) &&
      !/string|variable|comment|keyword/.test(type);
  }

  Yasgui.Yasqe.registerAutocompleter({
    name: "kg-entities",
    bulk: false,
    autoShow: true,
    persistenceId: null,
    isValidCompletionPosition: plainWord,
    get: (yasqe, token) => fetch(`${config.search}?${new URLSearchParams({ q: token.string, limit: "10" })}`)
      .then((response) => (response.ok ? response.json() : []))
      .then((hits) => hits.map((hit) => {
        const text = term(hit.iri);
        shown.set(text, hit.label);
        return text;
      })),
    postprocessHints: (yasqe, hints) => hints.map((hint) => ({ ...hint, displayText: `${shown.get(hint.text) || hint.text} — ${hint.text}` })),
  }, false);
  window.kgTerm = term;
})();
