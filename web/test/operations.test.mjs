// web/graphiql/operations.js under Node.js: which operations a document defines, from its text.
// GraphiQL's fetcher relies on it to run the tab shown, whatever operation name it was handed.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runInNewContext } from "node:vm";
import { test } from "node:test";
import assert from "node:assert/strict";

const here = dirname(fileURLToPath(import.meta.url));
const sandbox = {};
runInNewContext(readFileSync(join(here, "..", "graphiql", "operations.js"), "utf8"), sandbox);
const operationsIn = (text) => JSON.parse(JSON.stringify(sandbox.OversightOperations.operationsIn(text)));

const cases = [
  ["a named query", "query A { a }", [{ type: "query", name: "A" }]],
  ["a shorthand query", "{ a }", [{ type: "query" }]],
  [
    "variables, defaults and a comment naming another operation",
    "# query X { a }\nquery Path($from: ID!, $to: ID! = \"b\") { path(from: $from) { length } }",
    [{ type: "query", name: "Path" }],
  ],
  [
    "a directive whose argument looks like an operation, then a mutation and an anonymous subscription",
    'query A($x: Int = 1) @dir(a: "query Z {") { a } mutation B { b } subscription { c }',
    [{ type: "query", name: "A" }, { type: "mutation", name: "B" }, { type: "subscription" }],
  ],
  ["a fragment with a field named query", "fragment F on Query { query { x } }\nquery Q { ...F }", [{ type: "query", name: "Q" }]],
  ["a block string holding braces", '"""desc { query Bad"""\nquery { a }', [{ type: "query" }]],
  ["a variable named like a keyword", "subscription S($query: String) { changes(since: 0) { version } }", [{ type: "subscription", name: "S" }]],
  ["an empty document", "", []],
];

for (const [what, text, expected] of cases) {
  test(what, () => assert.deepEqual(operationsIn(text), expected));
}
