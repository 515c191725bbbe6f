// Browser tests of GraphiQL (/graphql) and the visual explorer (/explore).
//
// Starts `oversight serve` on the bundled seed (127.0.0.1, a free port), drives Debian's Chromium
// with playwright-core, and fails any test during which the page asked for anything from another
// host. Screenshots go to web/test/artefacts/. Needs the browser assets fetched
// (.venv/bin/oversight assets fetch) and chromium installed; .ci/browser does both.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..");
const artefacts = join(here, "artefacts");
mkdirSync(artefacts, { recursive: true });

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

let server;
let base;
let browser;
let context;
let page;
let foreign;
let problems;

function freePort() {
  return new Promise((ok, fail) => {
    const probe = createServer();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => ok(port));
    });
  });
}

async function startServer() {
  const port = await freePort();
  const output = [];
  // A journal of its own, in a temporary folder, so the tests never touch one in the checkout.
  const journal = join(mkdtempSync(join(tmpdir(), "oversight-browser-")), "graph.db");
  const child = spawn(join(root, ".venv", "bin", "oversight"), ["serve", "--port", String(port), "--db", journal], {
    cwd: root,
    env: { ...process.env, OVERSIGHT_LOG_LEVEL: "warning" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (chunk) => output.push(chunk));
  child.stderr.on("data", (chunk) => output.push(chunk));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited: ${Buffer.concat(output)}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return { child, url };
    } catch {
      // not listening yet
    }
    await new Promise((wait) => setTimeout(wait, 200));
  }
  child.kill();
  throw new Error(`the server was not ready within 60 s: ${Buffer.concat(output)}`);
}

/** A fresh browser context that refuses (and records) every request to another host. */
async function offlineContext() {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await ctx.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.origin === base || url.protocol === "data:" || url.protocol === "blob:") return route.continue();
    foreign.push(route.request().url());
    return route.abort("blockedbyclient");
  });
  return ctx;
}

function watch(p) {
  p.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  p.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  return p;
}

async function shot(name) {
  await page.screenshot({ path: join(artefacts, `${name}.png`) });
}

before(async () => {
  ({ child: server, url: base } = await startServer());
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
});

after(async () => {
  await browser?.close();
  server?.kill("SIGTERM");
});

beforeEach(async () => {
  foreign = [];
  problems = [];
  context = await offlineContext();
  page = watch(await context.newPage());
});

afterEach(async () => {
  await context.close();
  assert.deepEqual(foreign, [], "the page asked for something from another host");
  assert.deepEqual(problems, [], "the page reported errors");
});

test("the offline guard catches a request to another host", async () => {
  await page.goto("http://other-host.test/").catch(() => {});
  assert.deepEqual(foreign, ["http://other-host.test/"]);
  foreign = [];
  problems = [];
});

// ---- GraphiQL ----------------------------------------------------------------------------------

const tabTitles = () => page.locator(".graphiql-tab").allInnerTexts();
const editorText = () => page.locator(".graphiql-query-editor .CodeMirror").evaluate((el) => el.CodeMirror.getValue());
const resultText = () => page.locator(".result-window .CodeMirror").evaluate((el) => el.CodeMirror.getValue());

describe("GraphiQL at /graphql", () => {
  test("opens on the welcome tab with the example tabs", async () => {
    await page.goto(`${base}/graphql`);
    await page.locator(".graphiql-container").waitFor();
    const titles = (await tabTitles()).map((t) => t.trim());
    for (const name of ["Welcome", "CompaniesWithoutAgreement", "PathAmazonToShutdown", "ExecutiveOrder", "Neighbourhood", "AsOfDate", "Timeline", "Citations"]) {
      assert.ok(titles.some((t) => t.startsWith(name)), `no tab ${name} in ${titles}`);
    }
    assert.match(await page.locator(".graphiql-tab-active").innerText(), /Welcome/);
    assert.match(await editorText(), /Welcome to Oversight Graph/);
    await page.locator(".graphiql-execute-button").click();
    await page.waitForFunction(() => document.querySelector(".result-window .CodeMirror")?.CodeMirror.getValue().includes("entityCount"));
    const result = JSON.parse(await resultText());
    assert.ok(result.data.stats.entityCount > 0);
    await shot("graphiql-welcome");
  });

  test("runs an example tab and shows its data, and the explorer plugin opens", async () => {
    await page.goto(`${base}/graphql`);
    await page.locator(".graphiql-tab", { hasText: "PathAmazonToShutdown" }).click();
    assert.match(await editorText(), /path\(from: \$from, to: \$to\)/);
    await page.locator(".graphiql-execute-button").click();
    await page.waitForFunction(() => document.querySelector(".result-window .CodeMirror")?.CodeMirror.getValue().includes("length"));
    const result = JSON.parse(await resultText());
    assert.equal(result.data.path.length, (await amazonPath()).length);
    assert.equal(result.data.path.entities[0].key, "org/amazon");
    assert.ok(result.data.path.relations.every((r) => r.citations.length > 0));
    await page.getByRole("button", { name: /Show GraphiQL Explorer/i }).click();
    await page.locator(".graphiql-explorer-root, .docExplorerWrap").first().waitFor();
    await page.locator(".graphiql-explorer-root").getByText("companiesWithoutAgreement").first().waitFor();
    await shot("graphiql-example-and-explorer");
  });

  test("a subscription shows the change sets as they arrive", async () => {
    const query = "subscription Live { changes(since: 0) { version reason } }";
    await page.goto(`${base}/graphql#query=${encodeURIComponent(query)}`);
    await page.locator(".graphiql-container").waitFor();
    await page.locator(".graphiql-execute-button").click();
    await page.waitForFunction(() => document.querySelector(".result-window .CodeMirror")?.CodeMirror.getValue().includes("import of"));
    const result = JSON.parse(await resultText());
    assert.equal(result.data.changes.version, 1);
    await page.locator(".graphiql-execute-button").click(); // stops the subscription
  });

  test("a shared link reopens its query and variables", async () => {
    const query = "query Shared($text: String!) { search(text: $text, first: 3) { entity { key name } } }";
    const variables = '{"text": "Anthropic"}';
    await page.goto(`${base}/graphql#query=${encodeURIComponent(query)}&variables=${encodeURIComponent(variables)}`);
    await page.locator(".graphiql-container").waitFor();
    assert.match(await page.locator(".graphiql-tab-active").innerText(), /Shared/);
    assert.equal(await editorText(), query);
    await page.locator(".graphiql-execute-button").click();
    await page.waitForFunction(() => document.querySelector(".result-window .CodeMirror")?.CodeMirror.getValue().includes("org/anthropic"));
    // Editing the query is reflected in the address, so copying it shares the edit.
    await page.locator(".graphiql-tab", { hasText: "Welcome" }).click();
    await page.waitForFunction(() => new URLSearchParams(location.hash.slice(1)).get("query")?.includes("query Welcome"));
    await shot("graphiql-shared-link");
  });
});

// ---- the explorer ------------------------------------------------------------------------------

const idle = () => page.waitForFunction(() => document.body.dataset.busy === "false");

// The path from Amazon to the shutdown as the API gives it: what both pages must show.
async function amazonPath() {
  const response = await fetch(`${base}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      query: '{ path(from: "org/amazon", to: "incident/fable-5-access-shutdown") { length relations { summary } } }',
    }),
  });
  const { data } = await response.json();
  assert.ok(data.path.length >= 1);
  return data.path;
}
const graph = () =>
  page.evaluate(() => {
    const { cy } = window.oversightExplorer;
    const visible = (els) => els.filter((e) => !e.hasClass("filtered"));
    return {
      nodes: visible(cy.nodes()).map((n) => n.id()).sort(),
      edges: visible(cy.edges()).map((e) => ({ id: e.id(), type: e.data("type"), path: e.hasClass("on-path") })),
      focus: cy.nodes(".focus").map((n) => n.id()),
    };
  });

/** Click an element of the graph where Cytoscape drew it, as a user would. */
async function clickGraph(selector) {
  const point = await page.evaluate((sel) => {
    const { cy } = window.oversightExplorer;
    const element = cy.$(sel);
    if (element.empty()) return null;
    const box = cy.container().getBoundingClientRect();
    const p = element.isNode() ? element.renderedPosition() : element.renderedMidpoint();
    return { x: box.left + p.x, y: box.top + p.y };
  }, selector);
  assert.ok(point, `nothing in the graph matches ${selector}`);
  await page.mouse.click(point.x, point.y);
}

describe("the explorer at /explore", () => {
  test("searches, draws, expands, filters, shows citations, finds a path, and a link restores it all", async () => {
    await page.goto(`${base}/explore`);
    await idle();
    assert.equal(await page.locator("#welcome").isVisible(), true);
    await shot("explore-welcome");

    // Search and draw the neighbourhood.
    await page.locator("#search").fill("Anthropic");
    const first = page.locator("#search-results li[data-key]").first();
    await first.waitFor();
    assert.equal(await first.getAttribute("data-key"), "org/anthropic");
    await first.click();
    await page.waitForFunction(() => new URL(location.href).searchParams.get("focus") === "org/anthropic");
    await idle();
    let drawn = await graph();
    assert.deepEqual(drawn.focus, ["org/anthropic"]);
    assert.ok(drawn.nodes.includes("model/fable-5"), "Anthropic's model is in its neighbourhood");
    assert.ok(drawn.edges.length >= 5);
    await page.locator("#details .panel-title", { hasText: "Anthropic" }).waitFor();
    await page.locator("#timeline .entry").first().waitFor();
    assert.match(await page.locator("#timeline-title").innerText(), /Timeline of Anthropic/i);
    await shot("explore-anthropic");

    // Expand a node: click it on the canvas, then Expand.
    const before = drawn.nodes.length;
    await clickGraph("#model\\/fable-5");
    await page.locator("#details .panel-title", { hasText: "Fable 5" }).waitFor();
    await page.locator("#action-expand").click();
    await page.waitForFunction(() => new URL(location.href).searchParams.get("expand") === "model/fable-5");
    await idle();
    drawn = await graph();
    assert.ok(drawn.nodes.length > before, `expanding added no entity (${before} → ${drawn.nodes.length})`);
    await shot("explore-expanded");

    // Filter by relation type.
    const types = new Set(drawn.edges.map((e) => e.type));
    assert.ok(types.has("SUBMITTED_TO"));
    await page.locator('#types input[value="SUBMITTED_TO"]').uncheck();
    drawn = await graph();
    assert.ok(!drawn.edges.some((e) => e.type === "SUBMITTED_TO"), "unchecked relations are hidden");
    assert.equal(new URL(page.url()).searchParams.get("hide"), "SUBMITTED_TO");

    // Filter by an as-of date: 2025 is before the negotiations began.
    assert.ok(drawn.edges.some((e) => e.type === "NEGOTIATES_WITH"));
    await page.locator("#as-of").fill("2025");
    await page.locator("#as-of").press("Enter");
    await page.waitForFunction(() => new URL(location.href).searchParams.get("asOf") === "2025");
    await idle();
    drawn = await graph();
    assert.ok(!drawn.edges.some((e) => e.type === "NEGOTIATES_WITH"), "a relation starting in 2026 is gone as of 2025");
    await page.locator("#as-of-clear").click();
    await idle();
    drawn = await graph();
    assert.ok(drawn.edges.some((e) => e.type === "NEGOTIATES_WITH"));

    // Click a relation: its citations, with the document.
    const developed = drawn.edges.find((e) => e.type === "DEVELOPED");
    await clickGraph(`edge[id = "${developed.id}"]`);
    await page.locator("#relation-summary").waitFor();
    assert.match(await page.locator("#relation-summary").innerText(), /developed/);
    const citation = page.locator("#details .citation").first();
    await citation.waitFor();
    assert.match(await citation.locator(".paragraph").innerText(), /¶ \d+/);
    assert.ok((await citation.locator("blockquote").innerText()).length > 10);
    assert.ok((await citation.locator(".attribution").innerText()).length > 3);
    assert.ok((await citation.locator(".document").innerText()).length > 3);
    assert.ok((await citation.locator(".confidence").innerText()).length > 3);
    assert.ok((await citation.locator(".document").innerText()).length > 0);
    await shot("explore-citations");

    // Find a path between two entities (a name is looked up, a key taken as it is).
    await page.locator("#path-from").fill("Amazon");
    await page.locator("#path-to").fill("incident/fable-5-access-shutdown");
    const expectedPath = await amazonPath();
    await page.locator("#path-find").click();
    await page.locator("#path-steps li").nth(expectedPath.length - 1).waitFor();
    await idle();
    assert.equal(new URL(page.url()).searchParams.get("from"), "org/amazon");
    assert.equal(await page.locator("#path-steps li").count(), expectedPath.length);
    drawn = await graph();
    assert.equal(drawn.edges.filter((e) => e.path).length, expectedPath.length);
    assert.ok(drawn.nodes.includes("org/amazon"));
    await page.locator("#path-steps button").first().click();
    await page.locator("#relation-summary", { hasText: expectedPath.relations[0].summary }).waitFor();
    await shot("explore-path");

    // Reload the shared URL in a fresh page: the same view comes back.
    const shared = page.url();
    const expected = await graph();
    const selected = await page.locator("#relation-summary").innerText();
    const again = watch(await context.newPage());
    await again.goto(shared);
    await again.waitForFunction(() => document.body.dataset.busy === "false");
    await again.locator("#relation-summary").waitFor();
    const restored = await again.evaluate(() => {
      const { cy } = window.oversightExplorer;
      const visible = (els) => els.filter((e) => !e.hasClass("filtered"));
      return {
        nodes: visible(cy.nodes()).map((n) => n.id()).sort(),
        edges: visible(cy.edges()).map((e) => ({ id: e.id(), type: e.data("type"), path: e.hasClass("on-path") })),
        focus: cy.nodes(".focus").map((n) => n.id()),
      };
    });
    assert.deepEqual(restored.nodes, expected.nodes);
    assert.deepEqual(
      restored.edges.map((e) => e.id).sort(),
      expected.edges.map((e) => e.id).sort(),
    );
    assert.deepEqual(restored.focus, ["org/anthropic"]);
    assert.equal(await again.locator("#relation-summary").innerText(), selected);
    assert.equal(await again.locator("#path-steps li").count(), expectedPath.length);
    assert.equal(await again.locator('#types input[value="SUBMITTED_TO"]').isChecked(), false);
    await again.screenshot({ path: join(artefacts, "explore-restored.png") });
  });

  test("a timeline entry selects what it is about", async () => {
    await page.goto(`${base}/explore?focus=org/meta`);
    await idle();
    const entries = page.locator("#timeline .entry button");
    assert.ok((await entries.count()) > 0);
    const summary = (await entries.first().locator(".what").innerText()).trim();
    await entries.first().click();
    await page.waitForFunction(() => new URL(location.href).searchParams.get("sel")?.startsWith("r:"));
    await page.locator("#relation-summary", { hasText: summary }).waitFor();
    await shot("explore-timeline");
  });

  test("first paint, offline", async () => {
    const timings = [];
    for (let run = 0; run < 5; run += 1) {
      const fresh = watch(await context.newPage());
      await fresh.goto(`${base}/explore?focus=org/anthropic`);
      await fresh.waitForFunction(() => document.body.dataset.busy === "false");
      timings.push(
        await fresh.evaluate(() => {
          const paint = Object.fromEntries(performance.getEntriesByType("paint").map((e) => [e.name, e.startTime]));
          const nav = performance.getEntriesByType("navigation")[0];
          return { fp: paint["first-paint"], fcp: paint["first-contentful-paint"], load: nav.loadEventEnd, graph: performance.now() };
        }),
      );
      await fresh.close();
    }
    const median = (key) => timings.map((t) => t[key]).sort((a, b) => a - b)[2];
    assert.ok(timings.every((t) => t.fp > 0 && t.fcp > 0), "Chromium reported paint timings");
    console.log(
      `first paint of /explore (offline, 5 loads, median): first-paint ${median("fp").toFixed(0)} ms, ` +
        `first-contentful-paint ${median("fcp").toFixed(0)} ms, load event ${median("load").toFixed(0)} ms, ` +
        `graph drawn by ${median("graph").toFixed(0)} ms`,
    );
  });
});
