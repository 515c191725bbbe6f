// GraphiQL for Oversight Graph: example tabs, the explorer plugin and shareable links.
// Loaded after React, ReactDOM, GraphiQL and the explorer plugin (UMD builds served by this server).
(function () {
  "use strict";
  var root = document.getElementById("graphiql");
  function fail(message) {
    root.innerHTML = "";
    var p = document.createElement("p");
    p.className = "og-error";
    p.textContent = message;
    root.appendChild(p);
  }
  if (!window.React || !window.ReactDOM || !window.GraphiQL || !window.GraphiQLPluginExplorer || !window.OversightOperations) {
    fail("GraphiQL's files did not load. Run `.venv/bin/oversight assets fetch` in the project folder and reload.");
    return;
  }
  var data = JSON.parse(document.getElementById("page-data").textContent);
  // Shared links keep the query in the fragment: a query string would make GET /graphql run it.
  var params = new URLSearchParams(window.location.hash.slice(1));
  var sharedQuery = params.get("query");
  var sharedVariables = params.get("variables") || "";
  var tabs = data.examples.map(function (example) {
    return { query: example.query, variables: example.variables || undefined };
  });
  // GraphiQL only opens `defaultTabs` for a first visit; a shared link then opens first, before the examples.
  if (sharedQuery !== null) {
    tabs.unshift({ query: sharedQuery, variables: sharedVariables || undefined });
  }
  var current = { query: sharedQuery, variables: sharedVariables };
  function shareUrl() {
    var next = new URLSearchParams();
    if (current.query) next.set("query", current.query);
    if (current.variables && current.variables.trim()) next.set("variables", current.variables);
    var fragment = next.toString();
    return window.location.pathname + (fragment ? "#" + fragment : "");
  }
  function remember() {
    window.history.replaceState(null, "", shareUrl());
  }
  var explorer = window.GraphiQLPluginExplorer.explorerPlugin({ showAttribution: false });
  // Queries and mutations go through GraphiQL's own fetcher; a subscription is a POST asking for
  // Server-Sent Events (graphql-sse), which GraphiQL shows result by result when the fetcher
  // returns an async iterable.
  var httpFetcher = window.GraphiQL.createFetcher({ url: "/graphql", headers: { accept: "application/json" } });
  async function* events(body) {
    var reader = body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    try {
      for (;;) {
        var chunk = await reader.read();
        if (chunk.done) return;
        buffer += decoder.decode(chunk.value, { stream: true }).replace(/\r\n/g, "\n");
        var end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          var event = "", data = "";
          buffer.slice(0, end).split("\n").forEach(function (line) {
            if (line.indexOf("event:") === 0) event = line.slice(6).trim();
            else if (line.indexOf("data:") === 0) data += line.slice(5).trim();
          });
          buffer = buffer.slice(end + 2);
          if (event === "complete") return;
          if (event === "next" && data) yield JSON.parse(data);
        }
      }
    } finally {
      reader.cancel().catch(function () {});
    }
  }
  async function subscribe(params) {
    var response = await fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify(params),
    });
    if ((response.headers.get("content-type") || "").indexOf("text/event-stream") === 0) {
      return events(response.body);
    }
    return response.json();  // refused before the stream (a token required, too many connections)
  }
  // The operation GraphiQL means to run: the one named, if the document defines it; otherwise the
  // document's only operation (its name stale from the previous tab); otherwise none (the server
  // then names the problem).
  function chosen(params) {
    var operations = window.OversightOperations.operationsIn(params.query || "");
    var named = operations.filter(function (op) { return op.name && op.name === params.operationName; });
    if (named.length) return named[0];
    return operations.length === 1 ? operations[0] : null;
  }
  function fetcher(params, options) {
    var operation = chosen(params);
    if (operation && operation.name !== params.operationName && params.operationName) {
      params = Object.assign({}, params, { operationName: operation.name });
    }
    var subscription = Boolean(operation) && operation.type === "subscription";
    return subscription ? subscribe(params) : httpFetcher(params, options);
  }
  var element = window.React.createElement(window.GraphiQL, {
    fetcher: fetcher,
    defaultTabs: tabs,
    query: sharedQuery === null ? undefined : sharedQuery,
    variables: sharedQuery === null ? undefined : sharedVariables,
    plugins: [explorer],
    defaultEditorToolsVisibility: true,
    isHeadersEditorEnabled: false,
    shouldPersistHeaders: false,
    onEditQuery: function (value) { current.query = value; remember(); },
    onEditVariables: function (value) { current.variables = value; remember(); },
  });
  root.innerHTML = "";
  window.ReactDOM.createRoot(root).render(element);

  var share = document.getElementById("share");
  share.addEventListener("click", function () {
    remember();
    var link = window.location.origin + shareUrl();
    var done = function () { share.textContent = "Link copied"; setTimeout(function () { share.textContent = "Copy link"; }, 1600); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(link).then(done, function () { window.prompt("Copy this link", link); });
    } else {
      window.prompt("Copy this link", link);
    }
  });
})();
