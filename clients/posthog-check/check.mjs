// The real-client check: drives posthog-node and the @posthog/ai wrappers (OpenAI, Anthropic, Vercel ai) against a
// local fake provider and a running Prism, with and without posthog-node's enableFullAiCapture, then asserts through
// Prism's REST API that every $ai_* event the SDK delivered is stored (sent = stored, by uuid) and that every trace
// renders. "Sent" is counted by wrapping the SDK's fetch: every $ai_* event the SDK put on the wire, whatever Prism
// answered, a retried event once.
//
// Prism: PRISM_URL + PRISM_PROJECT_TOKEN + PRISM_ADMIN_TOKEN of a running server, or else PRISM_JAR (a built
// target/prism.jar) which this script starts on a free port with a temporary data directory.
// The last line printed is `RESULT {json}`; the exit code is 0 only when every check held.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { PostHog } from 'posthog-node';
import { OpenAI } from '@posthog/ai/openai';
import { Anthropic } from '@posthog/ai/anthropic';
import { withTracing } from '@posthog/ai/vercel';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, jsonSchema, streamText, tool } from 'ai';
import { startFakeProvider } from './fake-provider.mjs';

const PROJECT = process.env.PRISM_PROJECT ?? 'default';
const RUN = `phc-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
const failures = [];
const check = (ok, what) => {
  if (!ok) failures.push(what);
  return ok;
};
const log = (...a) => console.log('[posthog-check]', ...a);

// ---- Prism: given, or started from the jar -------------------------------------------------------------------------

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startPrism() {
  if (process.env.PRISM_URL) {
    return { url: process.env.PRISM_URL.replace(/\/$/, ''), token: process.env.PRISM_PROJECT_TOKEN, admin: process.env.PRISM_ADMIN_TOKEN, stop: async () => {} };
  }
  const jar = process.env.PRISM_JAR;
  if (!jar) throw new Error('Set PRISM_URL (+ PRISM_PROJECT_TOKEN, PRISM_ADMIN_TOKEN) or PRISM_JAR');
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'prism-check-'));
  const token = `phc_check_${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  const admin = `admin_check_${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  const child = spawn('java', ['-jar', jar], {
    env: { ...process.env, PRISM_HTTP_PORT: String(port), PRISM_DATA_DIR: dataDir, PRISM_PROJECT_TOKEN: token, PRISM_ADMIN_TOKEN: admin, PRISM_TRACE_IDLE_SECONDS: '2' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/ready`)).ok) break;
    } catch {}
    if (child.exitCode !== null) throw new Error(`Prism exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error('Prism did not become ready in 90 s');
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url, token, admin,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// ---- what the SDK sent ---------------------------------------------------------------------------------------------

const sent = new Map(); // uuid -> { traceId, event, route, mode }
const requestsByRoute = {}; // "mode path" -> acknowledged requests

async function bodyBytes(body) {
  if (body == null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Blob) return Buffer.from(await body.arrayBuffer());
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return Buffer.from(body.buffer ?? body, body.byteOffset ?? 0, body.byteLength);
  throw new Error(`unexpected body type ${typeof body}`);
}

function recordingFetch(mode) {
  return async (url, options = {}) => {
    const u = new URL(url);
    let events = [];
    if (options.method === 'POST' && !u.pathname.startsWith('/flags') && !u.pathname.startsWith('/decide')) {
      let bytes = await bodyBytes(options.body);
      if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = zlib.gunzipSync(bytes);
      const json = JSON.parse(bytes.toString('utf8'));
      events = Array.isArray(json) ? json : json.batch ?? [json];
    }
    // Every event the SDK tried to deliver counts as sent, acknowledged or not (a retry has the same uuid): an event
    // posted to a route Prism does not serve must show up as sent and not stored.
    for (const e of events) {
      if (typeof e?.event === 'string' && e.event.startsWith('$ai_')) {
        sent.set(e.uuid, { traceId: String(e.properties?.$ai_trace_id), event: e.event, route: u.pathname, mode });
      }
    }
    const res = await fetch(url, options);
    if (res.ok) {
      const key = `${mode} ${u.pathname}`;
      requestsByRoute[key] = (requestsByRoute[key] ?? 0) + 1;
    } else {
      log(`SDK request ${u.pathname} answered ${res.status}`);
    }
    return res;
  };
}

// ---- the scenarios -------------------------------------------------------------------------------------------------

const WEATHER = {
  name: 'get_weather',
  description: 'Current weather for a city',
  schema: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['city'] },
};

async function expectFailure(promise, what) {
  try {
    await promise;
    check(false, `${what}: the call should have failed`);
  } catch {
    // the wrapper captured the failed generation and rethrew, as it should
  }
}

async function drive(ph, mode, fake) {
  const scenarios = {};
  const tid = (name) => (scenarios[name] = `${RUN}-${mode}-${name}`);
  const who = { posthogDistinctId: 'check-user' };

  const openai = new OpenAI({ apiKey: 'sk-fake', baseURL: `${fake}/v1`, posthog: ph, maxRetries: 0 });
  const messages = (q) => [{ role: 'system', content: 'You are a travel agent.' }, { role: 'user', content: q }];
  await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: messages('Where is my parcel?'), ...who, posthogTraceId: tid('openai-plain') });
  let streamed = '';
  const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: messages('Stream me a haiku'), stream: true, stream_options: { include_usage: true }, ...who, posthogTraceId: tid('openai-stream') });
  for await (const chunk of stream) streamed += chunk.choices[0]?.delta?.content ?? '';
  check(streamed.startsWith('Echo:'), `${mode} openai stream text: ${streamed}`);
  const tools = [{ type: 'function', function: { name: WEATHER.name, description: WEATHER.description, parameters: WEATHER.schema } }];
  const called = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: messages('Weather in Paris?'), tools, ...who, posthogTraceId: tid('openai-tools') });
  check(called.choices[0].message.tool_calls?.[0]?.function?.name === WEATHER.name, `${mode} openai tool call`);
  const toolStream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: messages('Weather in Paris, streamed?'), tools, stream: true, stream_options: { include_usage: true }, ...who, posthogTraceId: tid('openai-stream-tools') });
  for await (const _ of toolStream) { /* drain */ }
  // A large prompt (4 MB): alone in its batch on the AI route, under the SDK's 8 MiB per-event limit.
  await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: messages('Summarise this log: ' + 'L'.repeat(4_000_000)), ...who, posthogTraceId: tid('openai-large') });
  await expectFailure(openai.chat.completions.create({ model: 'gpt-fail', messages: messages('This fails'), ...who, posthogTraceId: tid('openai-error') }), `${mode} openai error`);

  const anthropic = new Anthropic({ apiKey: 'sk-ant-fake', baseURL: fake, posthog: ph, maxRetries: 0 });
  const ask = (q) => ({ model: 'claude-sonnet-4-5', max_tokens: 200, system: 'You are a travel agent.', messages: [{ role: 'user', content: q }] });
  await anthropic.messages.create({ ...ask('Can I change my flight?'), ...who, posthogTraceId: tid('anthropic-plain') });
  const aStream = await anthropic.messages.create({ ...ask('Stream the rebooking steps'), stream: true, ...who, posthogTraceId: tid('anthropic-stream') });
  let aText = '';
  for await (const ev of aStream) if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') aText += ev.delta.text;
  check(aText.startsWith('Echo:'), `${mode} anthropic stream text: ${aText}`);
  const aTools = [{ name: WEATHER.name, description: WEATHER.description, input_schema: WEATHER.schema }];
  const aCalled = await anthropic.messages.create({ ...ask('Weather in Paris?'), tools: aTools, ...who, posthogTraceId: tid('anthropic-tools') });
  check(aCalled.content[0]?.type === 'tool_use', `${mode} anthropic tool use`);
  await expectFailure(anthropic.messages.create({ ...ask('This fails'), model: 'claude-fail', ...who, posthogTraceId: tid('anthropic-error') }), `${mode} anthropic error`);

  const provider = createOpenAI({ baseURL: `${fake}/v1`, apiKey: 'sk-fake' });
  const model = (name, trace) => withTracing(provider.chat(name), ph, { ...who, posthogTraceId: tid(trace) });
  const plain = await generateText({ model: model('gpt-4o-mini', 'vercel-plain'), prompt: 'Suggest a hotel in Lisbon' });
  check(plain.text.startsWith('Echo:'), `${mode} vercel text: ${plain.text}`);
  const vStream = streamText({ model: model('gpt-4o-mini', 'vercel-stream'), prompt: 'Stream a packing list' });
  let vText = '';
  for await (const piece of vStream.textStream) vText += piece;
  check(vText.startsWith('Echo:'), `${mode} vercel stream text: ${vText}`);
  const vTools = await generateText({
    model: model('gpt-4o-mini', 'vercel-tools'), prompt: 'Weather in Paris?',
    tools: { [WEATHER.name]: tool({ description: WEATHER.description, inputSchema: jsonSchema(WEATHER.schema) }) },
  });
  check(vTools.toolCalls?.[0]?.toolName === WEATHER.name, `${mode} vercel tool call`);
  await expectFailure(generateText({ model: model('gpt-fail', 'vercel-error'), prompt: 'This fails', maxRetries: 0 }), `${mode} vercel error`);

  // A root event sent by hand, a non-AI event and a flag lookup on the same client, as an app would.
  ph.capture({ distinctId: 'check-user', event: '$ai_trace', properties: { $ai_trace_id: scenarios['openai-plain'], $ai_span_name: 'parcel_support', $ai_input_state: { question: 'Where is my parcel?' }, $ai_latency: 0.4 } });
  ph.capture({ distinctId: 'check-user', event: 'checkout_started', properties: { plan: 'pro' } });
  const flags = await ph.getAllFlags('check-user');
  check(flags && typeof flags === 'object' && Object.keys(flags).length === 0, `${mode} flags: ${JSON.stringify(flags)}`);
  return scenarios;
}

// ---- what Prism stored -------------------------------------------------------------------------------------------

async function api(prism, p) {
  const res = await fetch(`${prism.url}/api/projects/${PROJECT}${p}`, { headers: { Authorization: `Bearer ${prism.admin}` } });
  return { status: res.status, body: res.headers.get('content-type')?.includes('json') ? await res.json() : await res.text() };
}

async function verify(prism, scenarios, mode) {
  const expected = new Map(); // traceId -> Set(uuid), this mode's only
  for (const [uuid, s] of sent) {
    if (s.mode !== mode) continue;
    if (!expected.has(s.traceId)) expected.set(s.traceId, new Set());
    expected.get(s.traceId).add(uuid);
  }
  for (const [name, traceId] of Object.entries(scenarios)) check(expected.has(traceId), `scenario ${name} sent no $ai_ event`);

  let stored = 0;
  const deadline = Date.now() + 60_000;
  for (const [traceId, uuids] of expected) {
    let got = new Set();
    for (;;) {
      const r = await api(prism, `/traces/${encodeURIComponent(traceId)}`);
      if (r.status === 200) got = new Set(r.body.events.map((e) => e.uuid));
      if ([...uuids].every((u) => got.has(u)) || Date.now() > deadline) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    const missing = [...uuids].filter((u) => !got.has(u));
    check(missing.length === 0, `trace ${traceId}: ${missing.length} of ${uuids.size} events missing`);
    check(got.size === uuids.size, `trace ${traceId}: stored ${got.size} events, the SDK sent ${uuids.size}`);
    stored += [...uuids].filter((u) => got.has(u)).length;

    const text = await api(prism, `/traces/${encodeURIComponent(traceId)}/text`);
    check(text.status === 200 && typeof text.body === 'string' && text.body.trim().length > 0, `trace ${traceId}: text ${text.status}`);
    if (typeof text.body === 'string') {
      check(!text.body.includes('could not be rendered'), `trace ${traceId}: an event could not be rendered`);
      const name = Object.entries(scenarios).find(([, id]) => id === traceId)?.[0] ?? '';
      if (name.endsWith('-plain') || (name.endsWith('-stream') && !name.includes('tools'))) check(text.body.includes('Echo:'), `trace ${traceId} (${name}): the answer is not in the text`);
      if (name.endsWith('-tools')) check(text.body.includes(WEATHER.name), `trace ${traceId} (${name}): the tool is not in the text`);
      if (name.endsWith('-error')) check(text.body.includes('fake provider'), `trace ${traceId} (${name}): the error message is not in the text`);
      if (process.env.PRISM_CHECK_VERBOSE) log(`--- ${name}\n${text.body}`);
    }
  }

  // The listing shows every trace of the run too.
  const listed = new Set();
  let cursor = null;
  for (let page = 0; page < 50; page++) {
    const r = await api(prism, `/traces?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    if (!check(r.status === 200, `trace listing answered ${r.status}`)) break;
    r.body.results.forEach((t) => listed.add(t.trace_id));
    cursor = r.body.next_cursor;
    if (!cursor || [...expected.keys()].every((id) => listed.has(id))) break;
  }
  const unlisted = [...expected.keys()].filter((id) => !listed.has(id));
  check(unlisted.length === 0, `${unlisted.length} traces missing from the listing: ${unlisted.slice(0, 3).join(', ')}`);
  return { traces: expected.size, stored };
}

// ---- main ----------------------------------------------------------------------------------------------------------

const started = Date.now();
const fake = await startFakeProvider();
const prism = await startPrism();
const result = { run: RUN, modes: {} };
try {
  // default: everything to /batch/; full: enableFullAiCapture, AI events to /i/v0/ai/batch/; v1: the opt-in v1
  // capture mode, non-AI events to /i/v1/analytics/events (posthog-node reads POSTHOG_CAPTURE_MODE when constructed).
  for (const mode of ['default', 'full', 'v1']) {
    const full = mode === 'full';
    if (mode === 'v1') process.env.POSTHOG_CAPTURE_MODE = 'v1';
    else delete process.env.POSTHOG_CAPTURE_MODE;
    const sdkErrors = [];
    const ph = new PostHog(prism.token, { host: prism.url, flushAt: 20, flushInterval: 200, enableFullAiCapture: full, fetch: recordingFetch(mode), fetchRetryCount: 1, fetchRetryDelay: 200 });
    ph.on('error', (e) => sdkErrors.push(String(e?.message ?? e)));
    const before = sent.size;
    const scenarios = await drive(ph, mode, fake.url);
    await ph.shutdown(20_000);
    const modeSent = sent.size - before;
    check(sdkErrors.length === 0, `${mode}: the SDK reported errors: ${sdkErrors.slice(0, 3).join(' | ')}`);
    const aiRoute = requestsByRoute[`${mode} /i/v0/ai/batch/`] ?? 0;
    check(full ? aiRoute > 0 : aiRoute === 0, `${mode}: ${aiRoute} requests to /i/v0/ai/batch/`);
    const v1Route = requestsByRoute[`${mode} /i/v1/analytics/events`] ?? 0;
    check(mode === 'v1' ? v1Route > 0 : v1Route === 0, `${mode}: ${v1Route} requests to /i/v1/analytics/events`);
    const { traces, stored } = await verify(prism, scenarios, mode);
    result.modes[mode] = { events_sent: modeSent, events_stored: stored, traces, routes: Object.fromEntries(Object.entries(requestsByRoute).filter(([k]) => k.startsWith(mode + ' ')).map(([k, v]) => [k.slice(mode.length + 1), v])) };
    check(stored === modeSent, `${mode}: stored ${stored} of ${modeSent} events sent`);
    log(`${mode}: ${modeSent} events sent, ${stored} stored, ${traces} traces, routes ${JSON.stringify(result.modes[mode].routes)}`);
  }
} catch (e) {
  failures.push(`crashed: ${e?.stack ?? e}`);
} finally {
  await prism.stop();
  await fake.close();
}
result.provider_requests = fake.stats.requests;
result.seconds = Math.round((Date.now() - started) / 100) / 10;
result.ok = failures.length === 0;
result.failures = failures;
for (const f of failures) log('FAILED:', f);
console.log('RESULT ' + JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
