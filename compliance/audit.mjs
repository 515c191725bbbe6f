#!/usr/bin/env node
// GraphQL-over-HTTP compliance audit of a running server with graphql-http's
// own audit suite (the one the spec's implementations list is built from).
//
//   node audit.mjs [URL]        URL defaults to $GRAPHQL_URL, then
//                               http://127.0.0.1:8000/graphql
//
// Prints every audit (id, status, name; for a failure the reason and a summary
// of the response), then a summary line. Exit status: 0 when every MUST and
// every SHOULD audit passes (MAY audits that fail are reported as notices and
// do not fail the run), 1 when any MUST ("error") or SHOULD ("warn") audit
// fails, 2 when the audit could not run at all (e.g. the server is down).

import { auditServer } from 'graphql-http';

const DEFAULT_URL = 'http://127.0.0.1:8000/graphql';
const REQUEST_TIMEOUT_MS = 10_000;
const BODY_PREVIEW = 300;

const url = process.argv[2] || process.env.GRAPHQL_URL || DEFAULT_URL;

// Bound every request so a hung server fails the audit instead of CI.
const fetchFn = (input, init = {}) =>
  fetch(input, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });

async function describe(response) {
  if (!response) return 'no response';
  const type = response.headers.get('content-type') ?? '(none)';
  let body;
  if (response.bodyUsed) {
    body = '(body already read by the audit)';
  } else {
    try {
      const text = await response.text();
      body = text.length > BODY_PREVIEW ? `${text.slice(0, BODY_PREVIEW)}…` : text;
      body = JSON.stringify(body);
    } catch (error) {
      body = `(body unreadable: ${error.message})`;
    }
  }
  return `HTTP ${response.status}; content-type: ${type}; body: ${body}`;
}

let results;
try {
  results = await auditServer({ url, fetchFn });
} catch (error) {
  console.error(`audit could not run against ${url}: ${error?.stack ?? error}`);
  process.exit(2);
}

results.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
console.log(`graphql-http server audit of ${url}`);
const counts = { ok: 0, warn: 0, error: 0, notice: 0 };
for (const result of results) {
  counts[result.status] = (counts[result.status] ?? 0) + 1;
  console.log(`${result.status.toUpperCase().padEnd(6)} ${result.id}  ${result.name}`);
  if (result.status !== 'ok') {
    console.log(`         reason:   ${result.reason}`);
    console.log(`         response: ${await describe(result.response)}`);
  }
}

const total = results.length;
const failed = counts.error + counts.warn;
console.log(
  `graphql-http audit: ${counts.ok} ok, ${counts.warn} warn, ${counts.error} error, ` +
    `${counts.notice} notice out of ${total} audits` +
    (failed ? ` — FAILED (${counts.error} MUST, ${counts.warn} SHOULD)` : ' — passed'),
);
process.exit(failed ? 1 : 0);
