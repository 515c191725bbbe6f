// The explorer's only way to the data: POST /graphql with the documents the page was served with.
const QUERIES = JSON.parse(document.getElementById("page-data").textContent).queries;

export class ApiError extends Error {
  constructor(errors) {
    super(errors.map((e) => e.message).join("; "));
    this.errors = errors;
  }
}

/** Run the named explorer query with `variables`; resolve to its `data`, reject with ApiError. */
export async function run(name, variables) {
  const query = QUERIES[name];
  if (!query) throw new Error(`no explorer query named ${name}`);
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query, variables, operationName: null }),
  });
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError([{ message: `the server answered ${response.status} without JSON` }]);
  }
  if (body.errors && body.errors.length) {
    // NOT_FOUND leaves a null field beside the data; anything else is a failure.
    const serious = body.errors.filter((e) => (e.extensions || {}).code !== "NOT_FOUND");
    if (serious.length || !body.data) throw new ApiError(body.errors);
  }
  return body.data;
}
