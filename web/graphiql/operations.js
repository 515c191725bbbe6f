// Which operations a GraphQL document defines, read from its text (no parser needed in the page).
// Loaded before graphiql.js, which uses it to pick the operation to run; web/test/operations.test.mjs
// tests it under Node.js.
(function (root) {
  "use strict";
  // The operations a document defines at its top level, as [{ type, name }] in order, read from
  // the text itself: right after a tab switch GraphiQL can hand the fetcher the operation name and
  // parsed document of the tab shown a moment before, while `params.query` is already the new one.
  // Comments and strings are skipped; braces and parentheses are counted so that only definitions
  // at depth 0 are read.
  function operationsIn(text) {
    var found = [];
    var depth = 0;
    var pending = false;  // after "query Name", "fragment Name on Type": the next "{" is theirs
    var i = 0;
    var name = /[_A-Za-z][_0-9A-Za-z]*/y;
    while (i < text.length) {
      var c = text[i];
      if (c === "#") {
        while (i < text.length && text[i] !== "\n" && text[i] !== "\r") i++;
      } else if (c === '"') {
        if (text.substr(i, 3) === '"""') {
          var close = text.indexOf('"""', i + 3);
          while (close > 0 && text[close - 1] === "\\") close = text.indexOf('"""', close + 3);
          i = close < 0 ? text.length : close + 3;
        } else {
          i++;
          while (i < text.length && text[i] !== '"' && text[i] !== "\n") i += text[i] === "\\" ? 2 : 1;
          i++;
        }
      } else if (c === "{" || c === "(" || c === "[") {
        if (depth === 0 && c === "{") {
          if (!pending) found.push({ type: "query", name: undefined });  // a shorthand query
          pending = false;
        }
        depth++;
        i++;
      } else if (c === "}" || c === ")" || c === "]") {
        depth = Math.max(0, depth - 1);
        i++;
      } else if (c === "$" || c === "@") {
        i++;  // a variable or a directive: its name is never a keyword here
        name.lastIndex = i;
        var skipped = name.exec(text);
        if (skipped) i += skipped[0].length;
      } else if (depth === 0 && /[_A-Za-z]/.test(c)) {
        name.lastIndex = i;
        var word = name.exec(text)[0];
        i += word.length;
        if (!pending && (word === "query" || word === "mutation" || word === "subscription")) {
          while (i < text.length && /[\s,]/.test(text[i])) i++;
          name.lastIndex = i;
          var match = /[_A-Za-z]/.test(text[i] || "") ? name.exec(text) : null;
          if (match) i += match[0].length;
          found.push({ type: word, name: match ? match[0] : undefined });
          pending = true;
        } else if (!pending && word === "fragment") {
          pending = true;
        }
      } else {
        i++;
      }
    }
    return found;
  }
  root.OversightOperations = { operationsIn: operationsIn };
})(typeof window !== "undefined" ? window : globalThis);
