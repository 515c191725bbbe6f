// urql (@urql/core) against the real server: queries, variables, errors and
// automatic persisted queries through @urql/exchange-persisted.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";

import { Client, cacheExchange, fetchExchange, gql } from "@urql/core";
import { persistedExchange } from "@urql/exchange-persisted";

import { ENDPOINT, recordingFetch } from "./recording-fetch.mjs";

const ENTITY = gql`
  query UrqlEntity($key: String!) {
    entity(key: $key) {
      key
      name
    }
  }
`;

function client(options = {}) {
  const recorder = recordingFetch();
  const urql = new Client({
    url: ENDPOINT,
    fetch: recorder.fetch,
    requestPolicy: "network-only",
    preferGetMethod: false,
    // The persisted exchange goes after the cache exchange, which adds __typename to documents:
    // the hash must be of the document as sent.
    exchanges: [cacheExchange, ...(options.exchanges ?? []), fetchExchange],
  });
  return { urql, exchanges: recorder.exchanges };
}

test("a query with variables returns the data", async () => {
  const { urql, exchanges } = client();
  const result = await urql.query(ENTITY, { key: "org/caisi" }).toPromise();
  assert.equal(result.error, undefined);
  assert.equal(result.data.entity.key, "org/caisi");
  assert.equal(exchanges[0].status, 200);
});

test("a field error keeps the partial data and carries its code", async () => {
  const { urql } = client();
  const result = await urql.query(ENTITY, { key: "org/no-such" }).toPromise();
  assert.equal(result.data.entity, null);
  assert.equal(result.error.graphQLErrors[0].extensions.code, "NOT_FOUND");
});

test("an invalid document is a GraphQL error with its code, not a network error", async () => {
  const { urql } = client();
  const result = await urql
    .query(
      gql`
        {
          noSuchField
        }
      `,
      {},
    )
    .toPromise();
  assert.equal(result.error.networkError, undefined);
  assert.equal(result.error.graphQLErrors[0].extensions.code, "GRAPHQL_VALIDATION_FAILED");
});

test("a limit error carries the limit and the actual value", async () => {
  const { urql } = client();
  const result = await urql
    .query(
      gql`
        {
          organizations(first: 1000) {
            totalCount
          }
        }
      `,
      {},
    )
    .toPromise();
  const [error] = result.error.graphQLErrors;
  assert.equal(error.extensions.code, "PAGE_TOO_LARGE");
  assert.equal(error.extensions.limit, 100);
});

test("automatic persisted queries: the hash over GET, the document on PersistedQueryNotFound, then the hash alone", async () => {
  const persisted = () =>
    persistedExchange({
      preferGetForPersistedQueries: true,
      generateHash: async (query) => createHash("sha256").update(query).digest("hex"),
    });
  const query = gql`
    query UrqlPersisted($key: String!) {
      entity(key: $key) {
        name
        description
      }
    }
  `;
  const first = client({ exchanges: [persisted()] });
  const result = await first.urql.query(query, { key: "org/anthropic" }).toPromise();
  assert.equal(result.error, undefined, String(result.error));
  assert.equal(result.data.entity.name, "Anthropic");
  const [miss, fallback] = first.exchanges;
  assert.equal(miss.method, "GET");
  assert.equal(miss.url.searchParams.get("query"), null);
  assert.equal(miss.result.errors[0].message, "PersistedQueryNotFound");
  // The fallback carries the document (urql keeps GET while the URL stays short) with the same hash.
  const sentQuery = fallback.body?.query ?? fallback.url.searchParams.get("query");
  assert.match(sentQuery, /UrqlPersisted/);
  const extensions = fallback.body?.extensions ?? JSON.parse(fallback.url.searchParams.get("extensions"));
  assert.equal(extensions.persistedQuery.sha256Hash, JSON.parse(miss.url.searchParams.get("extensions")).persistedQuery.sha256Hash);
  assert.equal(fallback.status, 200);
  assert.equal(first.exchanges.length, 2);

  const second = client({ exchanges: [persisted()] });
  const again = await second.urql.query(query, { key: "org/meta" }).toPromise();
  assert.equal(again.data.entity.name, "Meta");
  assert.equal(second.exchanges.length, 1);
  assert.equal(second.exchanges[0].method, "GET");
  assert.equal(second.exchanges[0].status, 200);
  assert.match(second.exchanges[0].responseHeaders.get("etag"), /^W\//);
});
