// A fetch that records every HTTP request and response a client makes, so a
// test can check what went over the wire (not only what the client returned).
export function recordingFetch() {
  const exchanges = [];
  async function fetchAndRecord(input, init = {}) {
    const url = new URL(typeof input === "string" ? input : input.url);
    const method = (init.method ?? "GET").toUpperCase();
    const headers = new Headers(init.headers);
    const body = typeof init.body === "string" ? JSON.parse(init.body) : undefined;
    const response = await fetch(input, init);
    const text = await response.clone().text();
    exchanges.push({
      method,
      url,
      headers,
      body,
      status: response.status,
      responseHeaders: response.headers,
      result: text ? JSON.parse(text) : undefined,
    });
    return response;
  }
  return { fetch: fetchAndRecord, exchanges };
}

// The GraphQL endpoint of the server the Python test started.
export const ENDPOINT = process.env.OVERSIGHT_URL;
if (!ENDPOINT) throw new Error("OVERSIGHT_URL must name the GraphQL endpoint under test");
