// The JavaScript client drivers of the responses-conformance harness (see ../drivers/_driver.py for
// the protocol): one JSON request per stdin line, one JSON answer per stdout line, the first line a
// hello with the versions. The stream is served by a loopback HTTP server on 127.0.0.1, the way the
// clients meet a real server; any request after the first gets a short valid stream.
//
//   node driver.mjs openai-node   # openai-node: client.responses.stream(), then finalResponse()
//   node driver.mjs ai-sdk        # Vercel AI SDK: streamText({ model: openai.responses(id) })
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";

const mode = process.argv[2];
const MODEL = "gpt-4o";
const out = (message) => process.stdout.write(JSON.stringify(message) + "\n");
// Libraries may log; only the protocol may reach stdout.
console.log = console.info = console.debug = console.warn = () => {};
globalThis.AI_SDK_LOG_WARNINGS = false;

function version(name) {
  try {
    const url = new URL(`./node_modules/${name}/package.json`, import.meta.url);
    return JSON.parse(readFileSync(url, "utf8")).version;
  } catch {
    return "missing";
  }
}

function followUp() {
  const response = { id: "resp_follow_up", object: "response", created_at: 0, status: "in_progress", model: MODEL, output: [], usage: null };
  const item = { id: "msg_follow_up", type: "message", status: "completed", role: "assistant",
    content: [{ type: "output_text", text: "ok", annotations: [] }] };
  const usage = { input_tokens: 1, output_tokens: 1, total_tokens: 2, input_tokens_details: { cached_tokens: 0 },
    output_tokens_details: { reasoning_tokens: 0 } };
  const events = [
    { type: "response.created", sequence_number: 0, response },
    { type: "response.output_item.added", sequence_number: 1, output_index: 0, item: { ...item, status: "in_progress", content: [] } },
    { type: "response.content_part.added", sequence_number: 2, item_id: item.id, output_index: 0, content_index: 0, part: { type: "output_text", text: "", annotations: [] } },
    { type: "response.output_text.delta", sequence_number: 3, item_id: item.id, output_index: 0, content_index: 0, delta: "ok", logprobs: [] },
    { type: "response.output_text.done", sequence_number: 4, item_id: item.id, output_index: 0, content_index: 0, text: "ok", logprobs: [] },
    { type: "response.content_part.done", sequence_number: 5, item_id: item.id, output_index: 0, content_index: 0, part: { type: "output_text", text: "ok", annotations: [] } },
    { type: "response.output_item.done", sequence_number: 6, output_index: 0, item },
    { type: "response.completed", sequence_number: 7, response: { ...response, status: "completed", output: [item], usage } },
  ];
  return Buffer.from(events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join(""));
}

let body = Buffer.alloc(0);
let requests = 0;
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    requests += 1;
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.end(requests === 1 ? body : followUp());
  });
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const baseURL = `http://127.0.0.1:${server.address().port}/v1`;

const observation = (text = null, tool_calls = [], status = null, finish = null) => ({ text, tool_calls, status, finish, error: null });
const errorOf = (error) => {
  const message = String(error?.message ?? error).trim().split("\n")[0].slice(0, 300);
  const type = typeof error === "object" && error !== null ? error.constructor?.name ?? "Object" : "error part";
  return { type, message };
};

async function openaiNode() {
  const { default: OpenAI } = await import("openai");
  const client = new OpenAI({ apiKey: "test", baseURL, maxRetries: 0 });
  const stream = client.responses.stream({ model: MODEL, input: "hi" });
  for await (const _ of stream) { /* drain */ }
  const response = await stream.finalResponse();
  const texts = [];
  const calls = [];
  for (const item of response.output ?? []) {
    if (item.type === "message") for (const part of item.content ?? []) if (part.type === "output_text") texts.push(part.text);
    if (item.type === "function_call") calls.push({ name: item.name, call_id: item.call_id, arguments: item.arguments });
  }
  const text = texts.join("");
  return observation(text || null, calls, response.status ?? null, response.status ?? null);
}

// The AI SDK's finish reasons, as the response status they stand for.
const STATUS = { stop: "completed", "tool-calls": "completed", length: "incomplete", "content-filter": "incomplete", error: "failed" };

async function aiSdk(toolNames) {
  const { streamText, tool, jsonSchema } = await import("ai");
  const { createOpenAI } = await import("@ai-sdk/openai");
  const provider = createOpenAI({ apiKey: "test", baseURL });
  const tools = Object.fromEntries(toolNames.map((name) => [name, tool({ description: "a tool the stream calls", inputSchema: jsonSchema({ type: "object" }) })]));
  const result = streamText({ model: provider.responses(MODEL), prompt: "hi", tools, maxRetries: 0, onError: () => {} });
  let failure = null;
  for await (const part of result.fullStream) {
    if (part.type === "error" && failure === null) failure = part.error;
  }
  if (failure !== null) {
    const answer = observation();
    answer.error = errorOf(failure);
    return answer;
  }
  const text = await result.text;
  // Tools the provider ran itself (web search, ...) are not function calls of the stream.
  const calls = (await result.toolCalls).filter((c) => !c.providerExecuted).map((c) => ({ name: c.toolName, call_id: c.toolCallId, arguments: JSON.stringify(c.input) }));
  const finish = await result.finishReason;
  return observation(text || null, calls, STATUS[finish] ?? null, finish ?? null);
}

const run = { "openai-node": openaiNode, "ai-sdk": aiSdk }[mode];
if (run === undefined) {
  process.stderr.write(`unknown client ${mode}\n`);
  process.exit(2);
}
const versions = mode === "ai-sdk" ? { ai: version("ai"), "@ai-sdk/openai": version("@ai-sdk/openai") } : { openai: version("openai") };
// Load the client and run it once before the hello, so that no stream's clock counts the import.
body = followUp();
await run([]).catch(() => {});
out({ client: mode, versions: { ...versions, node: process.versions.node } });

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const request = JSON.parse(line);
  body = Buffer.from(request.body, "base64");
  requests = 0;
  let answer;
  try {
    answer = await run(request.tools ?? []);
  } catch (error) {
    answer = observation();
    answer.error = errorOf(error);
  }
  answer.warnings = [];
  out({ id: request.id, observation: answer });
}
server.close();
process.exit(0);
