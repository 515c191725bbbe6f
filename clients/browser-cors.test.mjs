// CORS as a browser enforces it: Chromium (Debian's, driven by playwright-core) loads a page from
// one local origin that calls the API on another, the way a frontend app does, with the headers
// Apollo Client and apps send and with credentials; a page from an origin not listed is refused.
// Starts its own `oversight serve` (with --cors-origins and --cors-allow-credentials) and two
// page servers, all on 127.0.0.1 ports of their own. .ci/run runs it after .ci/browser, which
// installs chromium: `cd clients && node --test browser-cors.test.mjs`.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer } from "node:http";
import { dirname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

function listen(server) {
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server.address().port)));
}

// A page server: whatever path, a blank page of its own origin.
async function pageOrigin() {
  const server = createServer((request, response) => {
    response.writeHead(200, { "content-type": "text/html" });
    response.end("<!doctype html><title>client app</title>");
  });
  const port = await listen(server);
  return { server, origin: `http://127.0.0.1:${port}` };
}

async function freePort() {
  const probe = createServer();
  const port = await listen(probe);
  await new Promise((ok) => probe.close(ok));
  return port;
}

let api;
let apiServer;
let token;
let allowed;
let refused;
let browser;

before(async () => {
  allowed = await pageOrigin();
  refused = await pageOrigin();
  const port = await freePort();
  // A journal of its own, and a real reader token: a token the server does not know is refused (401).
  const db = join(mkdtempSync(join(tmpdir(), "oversight-cors-")), "graph.db");
  const oversight = join(root, ".venv", "bin", "oversight");
  token = execFileSync(oversight, ["token", "create", "--db", db, "--name", "web-app", "--role", "reader"])
    .toString()
    .trim()
    .split("\n")
    .pop();
  apiServer = spawn(
    oversight,
    [
      "serve",
      ...["--port", String(port), "--log-level", "warning", "--db", db],
      ...["--cors-origins", `${allowed.origin},https://admin.example`, "--cors-allow-credentials"],
    ],
    { cwd: root, stdio: "ignore" },
  );
  api = `http://127.0.0.1:${port}/graphql`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
    } catch {}
    if (Date.now() > deadline || apiServer.exitCode !== null) throw new Error("oversight serve did not start");
    await new Promise((wait) => setTimeout(wait, 200));
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu"] });
});

after(async () => {
  await browser?.close();
  apiServer?.kill("SIGTERM");
  allowed?.server.close();
  refused?.server.close();
});

// What a frontend's GraphQL client does: a JSON POST with a bearer token, Apollo's client headers
// and cookies, then reads the body and the exposed headers.
async function callFrom(origin) {
  const page = await browser.newPage();
  try {
    await page.goto(`${origin}/`);
    return await page.evaluate(async ([url, token]) => {
      try {
        const response = await fetch(url, {
          method: "POST",
          credentials: "include",
          headers: {
            "content-type": "application/json",
            authorization: `Bearer ${token}`,
            "apollographql-client-name": "web-app",
            "apollographql-client-version": "1.2.3",
          },
          body: JSON.stringify({ query: "{ stats { entityCount } }" }),
        });
        return { status: response.status, body: await response.json(), requestId: response.headers.get("x-request-id") };
      } catch (error) {
        return { failed: String(error) };
      }
    }, [api, token]);
  } finally {
    await page.close();
  }
}

test("a listed origin passes the preflight with Authorization, Apollo's headers and credentials", async () => {
  const result = await callFrom(allowed.origin);
  assert.equal(result.failed, undefined, result.failed);
  assert.equal(result.status, 200);
  const direct = await (
    await fetch(api, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ stats { entityCount } }" }),
    })
  ).json();
  assert.deepEqual(result.body, direct);
  assert.match(result.requestId, /^[0-9a-f]+$/, "X-Request-Id is exposed to the page");
});

test("an origin not listed is refused by the browser", async () => {
  const result = await callFrom(refused.origin);
  assert.match(result.failed ?? "", /Failed to fetch/);
});
