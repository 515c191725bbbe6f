// Apollo Client 4 against the real server: queries, variables, errors,
// automatic persisted queries (the hash-then-fallback dance) and batching.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";

import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { CombinedGraphQLErrors } from "@apollo/client/errors";
import { BatchHttpLink } from "@apollo/client/link/batch-http";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";

import { ENDPOINT, recordingFetch } from "./recording-fetch.mjs";

const sha256 = (text) => createHash("sha256").update(text).digest("hex");

function client(link) {
  return new ApolloClient({
    link,
    cache: new InMemoryCache(),
    clientAwareness: { name: "oversight-tests", version: "1.0" },
    defaultOptions: { query: { fetchPolicy: "no-cache" } },
  });
}

const ENTITY = gql`
  query Entity($key: String!) {
    entity(key: $key) {
      key
      name
    }
  }
`;

test("a query with variables returns the data", async () => {
  const recorder = recordingFetch();
  const apollo = client(new HttpLink({ uri: ENDPOINT, fetch: recorder.fetch }));
  const { data, error } = await apollo.query({ query: ENTITY, variables: { key: "org/anthropic" } });
  assert.equal(error, undefined);
  assert.deepEqual(data.entity, { __typename: "Organization", key: "org/anthropic", name: "Anthropic" });
  const [sent] = recorder.exchanges;
  assert.equal(sent.headers.get("apollographql-client-name"), "oversight-tests");
  assert.equal(sent.status, 200);
});

test("a search with a typo finds the entity, flagged fuzzy", async () => {
  const apollo = client(new HttpLink({ uri: ENDPOINT }));
  const { data } = await apollo.query({
    query: gql`
      query Find($text: String!) {
        search(text: $text, first: 1) {
          fuzzy
          entity {
            key
          }
        }
      }
    `,
    variables: { text: "antropic" },
  });
  assert.equal(data.search[0].entity.key, "org/anthropic");
  assert.equal(data.search[0].fuzzy, true);
});

test("a field error keeps the partial data and carries its code", async () => {
  const apollo = client(new HttpLink({ uri: ENDPOINT }));
  const { data, error } = await apollo.query({
    query: gql`
      {
        node(id: "%%%") {
          id
        }
        stats {
          entityCount
        }
      }
    `,
    errorPolicy: "all",
  });
  assert.ok(CombinedGraphQLErrors.is(error), String(error));
  assert.equal(error.errors[0].extensions.code, "INVALID_ID");
  assert.equal(data.node, null);
  assert.equal(data.stats.entityCount, 50);
});

test("an invalid document is rejected with its code", async () => {
  const apollo = client(new HttpLink({ uri: ENDPOINT }));
  await assert.rejects(
    apollo.query({
      query: gql`
        {
          noSuchField
        }
      `,
    }),
    (error) => CombinedGraphQLErrors.is(error) && error.errors[0].extensions.code === "GRAPHQL_VALIDATION_FAILED",
  );
});

test("automatic persisted queries: hash first, the document on PersistedQueryNotFound, then the hash alone", async () => {
  const recorder = recordingFetch();
  const link = () =>
    ApolloLink.from([new PersistedQueryLink({ sha256 }), new HttpLink({ uri: ENDPOINT, fetch: recorder.fetch })]);
  // A document no other test sends, so the server cannot know it yet.
  const query = gql`
    query PersistedEntity($key: String!) {
      entity(key: $key) {
        name
        kind
      }
    }
  `;
  const first = await client(link()).query({ query, variables: { key: "org/meta" } });
  assert.equal(first.data.entity.name, "Meta");
  assert.equal(recorder.exchanges.length, 2);
  const [miss, fallback] = recorder.exchanges;
  assert.equal(miss.body.query, undefined);
  assert.match(miss.body.extensions.persistedQuery.sha256Hash, /^[0-9a-f]{64}$/);
  assert.equal(miss.result.errors[0].extensions.code, "PERSISTED_QUERY_NOT_FOUND");
  assert.equal(typeof fallback.body.query, "string");
  assert.equal(fallback.body.extensions.persistedQuery.sha256Hash, miss.body.extensions.persistedQuery.sha256Hash);
  // A new client (a fresh page load) now gets the answer from the hash alone.
  const second = await client(link()).query({ query, variables: { key: "org/anthropic" } });
  assert.equal(second.data.entity.name, "Anthropic");
  assert.equal(recorder.exchanges.length, 3);
  assert.equal(recorder.exchanges[2].body.query, undefined);
  assert.equal(recorder.exchanges[2].status, 200);
});

test("persisted queries over GET come back with an ETag", async () => {
  const recorder = recordingFetch();
  const link = ApolloLink.from([
    new PersistedQueryLink({ sha256, useGETForHashedQueries: true }),
    new HttpLink({ uri: ENDPOINT, fetch: recorder.fetch }),
  ]);
  const query = gql`
    query PersistedStats {
      stats {
        relationCount
      }
    }
  `;
  const apollo = client(link);
  await apollo.query({ query });
  const { data } = await apollo.query({ query });
  assert.equal(data.stats.relationCount, 79);
  // A hash-only GET that misses, the document POSTed, then a hash-only GET that hits.
  const sequence = recorder.exchanges.map((e) => [e.method, e.status, e.result?.errors?.[0]?.extensions?.code ?? null]);
  assert.deepEqual(sequence, [
    ["GET", 400, "PERSISTED_QUERY_NOT_FOUND"],
    ["POST", 200, null],
    ["GET", 200, null],
  ]);
  const hit = recorder.exchanges[2];
  assert.equal(hit.url.searchParams.get("query"), null);
  assert.match(hit.responseHeaders.get("etag"), /^W\/"[0-9a-f]+"$/);
  assert.equal(hit.responseHeaders.get("cache-control"), "public, max-age=60");
});

test("the batch link sends several operations in one request", async () => {
  const recorder = recordingFetch();
  const apollo = client(new BatchHttpLink({ uri: ENDPOINT, batchMax: 5, batchInterval: 20, fetch: recorder.fetch }));
  const [meta, caisi, broken] = await Promise.all([
    apollo.query({ query: ENTITY, variables: { key: "org/meta" } }),
    apollo.query({ query: ENTITY, variables: { key: "org/caisi" } }),
    apollo.query({ query: ENTITY, variables: { key: "org/no-such" }, errorPolicy: "all" }),
  ]);
  assert.equal(meta.data.entity.name, "Meta");
  assert.equal(caisi.data.entity.key, "org/caisi");
  assert.equal(broken.data.entity, null);
  assert.equal(broken.error.errors[0].extensions.code, "NOT_FOUND");
  assert.equal(recorder.exchanges.length, 1);
  assert.ok(Array.isArray(recorder.exchanges[0].body) && recorder.exchanges[0].body.length === 3);
});
