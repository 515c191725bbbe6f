// Subscriptions with the clients users have: graphql-ws (graphql-transport-ws over WebSocket)
// and graphql-sse (Server-Sent Events, distinct connections mode), against the real server.
// OVERSIGHT_TOKEN is an editor token of that server's journal, used to make changes.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createClient as createSseClient } from "graphql-sse";
import { createClient as createWsClient } from "graphql-ws";
import WebSocket from "ws";

import { ENDPOINT } from "./recording-fetch.mjs";

const TOKEN = process.env.OVERSIGHT_TOKEN;
if (!TOKEN) throw new Error("OVERSIGHT_TOKEN must hold an editor token of the server under test");
const WS_URL = ENDPOINT.replace(/^http/, "ws");

const CHANGES = "subscription ($since: Int) { changes(since: $since) { version reason actor { name } } }";

async function post(query, token = TOKEN) {
  const response = await fetch(ENDPOINT, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
  return response.json();
}

async function version() {
  return (await post("{ stats { version } }")).data.stats.version;
}

async function edit(key, text) {
  const answer = await post(
    `mutation { updateEntity(id: "${key}", set: {description: "${text}"}, reason: "node client test") { version } }`,
  );
  assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
  return answer.data.updateEntity.version;
}

function wsClient(options = {}) {
  return createWsClient({ url: WS_URL, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, ...options });
}

// Take the next `count` results of an async iterator (leaving it open), failing after a timeout.
async function take(iterator, count, ms = 10000) {
  const taken = [];
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`only ${taken.length} of ${count} results within ${ms} ms`)), ms);
  });
  try {
    while (taken.length < count) {
      const { value, done } = await Promise.race([iterator.next(), timeout]);
      if (done) throw new Error(`the stream ended after ${taken.length} of ${count} results`);
      taken.push(value);
    }
  } finally {
    clearTimeout(timer);
  }
  return taken;
}

test("graphql-ws: catch up from a version, then live change sets, in order", async () => {
  const client = wsClient();
  try {
    const start = await version();
    const first = await edit("org/meta", "before subscribing");
    const results = client.iterate({ query: CHANGES, variables: { since: start } });
    const caughtUp = await take(results, 1);
    assert.deepEqual(caughtUp[0].data.changes, { version: first, reason: "node client test", actor: { name: "node" } });
    const next = await edit("org/caisi", "while subscribed");
    const [live] = await take(results, 1);
    assert.equal(live.data.changes.version, next);
    assert.equal(next, first + 1);
    await results.return();
  } finally {
    await client.dispose();
  }
});

test("graphql-ws: entityChanged streams only the entity's change sets", async () => {
  const client = wsClient();
  try {
    const start = await version();
    await edit("org/caisi", "not about meta");
    const mine = await edit("org/meta", "about meta");
    const results = client.iterate({
      query: "subscription ($since: Int) { entityChanged(id: \"org/meta\", since: $since) { version changes { key } } }",
      variables: { since: start },
    });
    const [only] = await take(results, 1);
    assert.equal(only.data.entityChanged.version, mine);
    assert.deepEqual(only.data.entityChanged.changes, [{ key: "org/meta" }]);
    await results.return();
  } finally {
    await client.dispose();
  }
});

test("graphql-ws: an invalid subscription is an error with its code", async () => {
  const client = wsClient();
  try {
    const results = client.iterate({ query: "subscription { changes { noSuchField } }" });
    await assert.rejects(
      take(results, 1),
      (errors) => Array.isArray(errors) && errors[0].extensions.code === "GRAPHQL_VALIDATION_FAILED",
    );
  } finally {
    await client.dispose();
  }
});

test("graphql-ws: a bad token closes the connection with 4403", async () => {
  const client = wsClient({ connectionParams: { Authorization: "Bearer og_not-a-token" } });
  try {
    const results = client.iterate({ query: CHANGES });
    await assert.rejects(take(results, 1), (event) => {
      assert.equal(event.code, 4403);
      assert.match(event.reason, /^UNAUTHENTICATED/);
      return true;
    });
  } finally {
    await client.dispose();
  }
});

test("graphql-sse: catch up, then live change sets over Server-Sent Events", async () => {
  const client = createSseClient({ url: ENDPOINT, singleConnection: false, retryAttempts: 0 });
  try {
    const start = await version();
    const first = await edit("org/meta", "before the stream");
    const results = client.iterate({ query: CHANGES, variables: { since: start } });
    const [caughtUp] = await take(results, 1);
    assert.equal(caughtUp.data.changes.version, first);
    const next = await edit("org/meta", "during the stream");
    const [live] = await take(results, 1);
    assert.equal(live.data.changes.version, next);
    await results.return();
  } finally {
    client.dispose();
  }
});

test("graphql-sse: a query is one result, and errors keep their codes", async () => {
  const client = createSseClient({ url: ENDPOINT, singleConnection: false, retryAttempts: 0 });
  try {
    const [answer] = await take(client.iterate({ query: "{ entity(key: \"org/meta\") { name } }" }), 1);
    assert.deepEqual(answer.data, { entity: { name: "Meta" } });
    const [refused] = await take(client.iterate({ query: "subscription { changes(since: -1) { version } }" }), 1);
    assert.equal(refused.errors[0].extensions.code, "BAD_USER_INPUT");
  } finally {
    client.dispose();
  }
});
