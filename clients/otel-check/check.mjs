// The real-exporter check: the OpenTelemetry JS SDK with its OTLP exporters (http/json, http/protobuf gzipped, logs
// over http/protobuf), the Vercel AI SDK's telemetry, and the same through @posthog/ai/otel's PostHogSpanProcessor
// (which posts to PostHog's /i/v0/ai/otel) send GenAI traces to a running Prism; the script then asserts
// through Prism's REST API that every trace arrived, completed and renders (GET …/traces/{id}/text), and that no export
// failed or came back as a partial success.
//
// Prism: PRISM_URL + PRISM_PROJECT_TOKEN + PRISM_ADMIN_TOKEN of a running server, or else PRISM_JAR (a built
// target/prism.jar) which this script starts on a free port with a temporary data directory.
// The last line printed is `RESULT {json}`; the exit code is 0 only when every check held.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { generateText, jsonSchema, stepCountIs, tool } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { PostHogSpanProcessor } from '@posthog/ai/otel';

const PROJECT = process.env.PRISM_PROJECT ?? 'default';
const RUN = `otc-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
const failures = [];
const check = (ok, what) => {
  if (!ok) failures.push(what);
  return ok;
};
const log = (...a) => console.log('[otel-check]', ...a);

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
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'prism-otel-check-'));
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

// ---- exporters, watched: every export's result is recorded --------------------------------------------------------

const exports = [];

/** Wraps an exporter so a failed export (or one Prism answered with an error) is a failure of the check. */
function watched(name, exporter) {
  return {
    export(items, done) {
      exporter.export(items, (result) => {
        exports.push({ exporter: name, items: items.length, code: result.code, error: result.error ? String(result.error) : undefined });
        check(result.code === 0, `${name}: export of ${items.length} failed: ${result.error}`);
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => (exporter.forceFlush ? exporter.forceFlush() : Promise.resolve()),
  };
}

function tracerProvider(exporter) {
  return new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'otel-check', 'user.id': `${RUN}-user` }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
}

// ---- what is sent ---------------------------------------------------------------------------------------------------

const sent = {};

/** GenAI (current conventions): an agent, its chat call with structured messages, and a tool it ran. */
async function genAiTrace(tracer, name, question, answer) {
  const root = tracer.startSpan(`invoke_agent ${name}`, { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': name } });
  const ctx = trace.setSpan(context.active(), root);
  const chat = tracer.startSpan('chat gpt-4o-mini', {
    kind: 2,
    attributes: {
      'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: question }] }]),
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: answer }], finish_reason: 'stop' }]),
      'gen_ai.usage.input_tokens': 42, 'gen_ai.usage.output_tokens': 17, 'gen_ai.response.finish_reasons': ['stop'],
    },
  }, ctx);
  chat.end();
  const toolSpan = tracer.startSpan('execute_tool lookup_order', {
    attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup_order', 'gen_ai.tool.call.arguments': '{"order":"A-7731"}', 'gen_ai.tool.call.result': 'shipped on Monday' },
  }, ctx);
  toolSpan.end();
  root.end();
  return root.spanContext().traceId;
}

/** A failed call: status ERROR with the exception recorded, as instrumentations do. */
async function failedTrace(tracer) {
  const span = tracer.startSpan('chat claude-x', {
    attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'anthropic', 'gen_ai.request.model': 'claude-x',
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `${RUN} will this fail?` }] }]) },
  });
  span.recordException(Object.assign(new Error('rate limited by upstream'), { name: 'RateLimitError' }));
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'rate limited by upstream' });
  span.end();
  return span.spanContext().traceId;
}

/**
 * The deprecated GenAI events as log records (what e.g. the Python OpenAI instrumentation emits), sent before the span
 * they belong to, which carries no content itself: Prism joins them.
 */
async function logsTrace(tracer, loggerProvider, question, answer) {
  const logger = loggerProvider.getLogger('otel-check');
  const span = tracer.startSpan('chat gpt-4o', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 9 } });
  const ctx = trace.setSpan(context.active(), span);
  logger.emit({ eventName: 'gen_ai.user.message', attributes: { 'gen_ai.system': 'openai' }, body: { content: question }, context: ctx });
  logger.emit({ attributes: { 'event.name': 'gen_ai.choice', 'gen_ai.system': 'openai' }, body: { index: 0, finish_reason: 'stop', message: { role: 'assistant', content: answer } }, context: ctx });
  logger.emit({ eventName: 'gen_ai.evaluation.result', attributes: { 'gen_ai.evaluation.name': 'helpfulness', 'gen_ai.evaluation.score.value': 0.9, 'gen_ai.evaluation.explanation': 'names the date' }, context: ctx });
  await loggerProvider.forceFlush();
  span.end();
  return span.spanContext().traceId;
}

/** The Vercel AI SDK with telemetry on: generateText with one tool round trip against a mock model. */
async function vercelTrace(tracer, question, answer) {
  let traceId;
  const usage = (i, o) => ({ inputTokens: { total: i, noCache: i, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: o, text: o, reasoning: 0 } });
  const model = new MockLanguageModelV3({
    provider: 'openai.responses',
    modelId: 'gpt-4o-mini',
    doGenerate: [
      { content: [{ type: 'tool-call', toolCallId: 'call_1', toolName: 'weather', input: '{"city":"Lisbon"}' }], finishReason: { unified: 'tool-calls', raw: 'tool_calls' }, usage: usage(30, 8), warnings: [] },
      { content: [{ type: 'text', text: answer }], finishReason: { unified: 'stop', raw: 'stop' }, usage: usage(45, 12), warnings: [] },
    ],
  });
  const result = await generateText({
    model,
    system: 'You report the weather.',
    prompt: question,
    tools: {
      weather: tool({
        description: 'Weather in a city',
        inputSchema: jsonSchema({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
        execute: async ({ city }) => {
          traceId = trace.getActiveSpan()?.spanContext().traceId;
          return { city, sky: 'clear', tempC: 24 };
        },
      }),
    },
    stopWhen: stepCountIs(3),
    experimental_telemetry: { isEnabled: true, functionId: 'otel-check-weather', tracer, metadata: { posthog_distinct_id: `${RUN}-vercel` } },
  });
  check(result.text === answer, `vercel: generateText answered ${JSON.stringify(result.text)}`);
  return traceId;
}

// ---- what arrived ---------------------------------------------------------------------------------------------------

async function api(prism, p) {
  const r = await fetch(`${prism.url}${p}`, { headers: { Authorization: `Bearer ${prism.admin}` } });
  return { status: r.status, body: await r.text() };
}

async function arrived(prism, name, traceId, mustContain) {
  const deadline = Date.now() + 60_000;
  let detail;
  for (;;) {
    const r = await api(prism, `/api/projects/${PROJECT}/traces/${traceId}`);
    if (r.status === 200) {
      detail = JSON.parse(r.body);
      if (detail.status === 'completed') break;
    }
    if (Date.now() > deadline) {
      check(false, `${name}: trace ${traceId} did not complete in 60 s (last answer ${r.status})`);
      return { trace_id: traceId, completed: false };
    }
    await new Promise((r2) => setTimeout(r2, 250));
  }
  const text = await api(prism, `/api/projects/${PROJECT}/traces/${traceId}/text`);
  check(text.status === 200, `${name}: text answered ${text.status}`);
  const missing = mustContain.filter((s) => !text.body.includes(s));
  check(missing.length === 0, `${name}: the text lacks ${JSON.stringify(missing)}:\n${text.body}`);
  return { trace_id: traceId, completed: true, events: detail.aggregates?.event_count, input_tokens: detail.aggregates?.input_tokens, text_ok: missing.length === 0 };
}

// ---- run ------------------------------------------------------------------------------------------------------------

const prism = await startPrism();
let code = 1;
try {
  const headers = { Authorization: `Bearer ${prism.token}` };
  const jsonProvider = tracerProvider(watched('traces http/json', new JsonTraceExporter({ url: `${prism.url}/v1/traces`, headers })));
  const protoProvider = tracerProvider(watched('traces http/protobuf gzip', new ProtoTraceExporter({ url: `${prism.url}/i/v0/ai/otel/v1/traces`, headers, compression: 'gzip' })));
  // The Node provider's register() installs the async-hooks context manager the AI SDK's nested spans rely on.
  protoProvider.register();
  const loggerProvider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'otel-check' }),
    processors: [new SimpleLogRecordProcessor({ exporter: watched('logs http/protobuf', new ProtoLogExporter({ url: `${prism.url}/v1/logs`, headers })) })],
  });

  const q1 = `${RUN} where is order A-7731?`;
  const a1 = 'Order A-7731 shipped on Monday.';
  sent.json = { id: await genAiTrace(jsonProvider.getTracer('otel-check'), 'support-agent', q1, a1), must: [q1, a1, 'lookup_order', 'A-7731', 'support-agent'] };
  const q2 = `${RUN} and the return policy?`;
  const a2 = 'Returns are free within 30 days.';
  sent.protobuf = { id: await genAiTrace(protoProvider.getTracer('otel-check'), 'policy-agent', q2, a2), must: [q2, a2, 'policy-agent'] };
  sent.error = { id: await failedTrace(protoProvider.getTracer('otel-check')), must: ['RateLimitError', 'rate limited by upstream'] };
  const q3 = `${RUN} when does my refund arrive?`;
  const a3 = 'Your refund arrives on Thursday.';
  sent.logs = { id: await logsTrace(protoProvider.getTracer('otel-check'), loggerProvider, q3, a3), must: [q3, a3, 'helpfulness = 0.9'] };
  const q4 = `${RUN} weather in Lisbon?`;
  const a4 = 'It is clear and 24 degrees in Lisbon.';
  sent.vercel = { id: await vercelTrace(protoProvider.getTracer('ai'), q4, a4), must: [q4, a4, 'weather', 'tempC', `${RUN}-vercel`] };
  // PostHog's own OTel integration for the AI SDK, pointed at Prism instead of PostHog.
  const posthogProcessor = new PostHogSpanProcessor({ projectToken: prism.token, host: prism.url });
  const posthogProvider = new NodeTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'otel-check' }), spanProcessors: [posthogProcessor] });
  const q5 = `${RUN} weather in Porto?`;
  const a5 = 'It is clear and 24 degrees in Porto.';
  sent.posthog = { id: await vercelTrace(posthogProvider.getTracer('ai'), q5, a5), must: [q5, a5, 'weather', `${RUN}-vercel`] };
  await posthogProcessor.forceFlush();
  await Promise.all([jsonProvider.forceFlush(), protoProvider.forceFlush(), loggerProvider.forceFlush()]);

  const traces = {};
  for (const [name, s] of Object.entries(sent)) {
    if (!check(typeof s.id === 'string' && /^[0-9a-f]{32}$/.test(s.id), `${name}: no trace id`)) continue;
    traces[name] = await arrived(prism, name, s.id, s.must);
    log(name, JSON.stringify(traces[name]));
  }
  check(exports.some((e) => e.exporter === 'traces http/json'), 'the http/json exporter exported nothing');
  check(exports.some((e) => e.exporter === 'traces http/protobuf gzip'), 'the http/protobuf exporter exported nothing');
  check(exports.some((e) => e.exporter === 'logs http/protobuf'), 'the logs exporter exported nothing');
  // A partial success is a 200 to the exporter: Prism's counters tell whether it refused anything.
  const metrics = await api(prism, '/metrics');
  for (const m of ['prism_otel_spans_total{result="rejected"}', 'prism_otel_logs_total{result="rejected"}']) {
    const line = metrics.body.split('\n').find((l) => l.startsWith(m + ' '));
    check(line !== undefined && Number(line.split(' ')[1]) === 0, `Prism refused something: ${line}`);
  }
  await Promise.all([jsonProvider.shutdown(), protoProvider.shutdown(), loggerProvider.shutdown(), posthogProvider.shutdown()]);
  const ok = failures.length === 0;
  console.log(`RESULT ${JSON.stringify({ ok, run: RUN, failures, exports: exports.length, traces })}`);
  code = ok ? 0 : 1;
} catch (e) {
  failures.push(String(e?.stack ?? e));
  console.log(`RESULT ${JSON.stringify({ ok: false, run: RUN, failures })}`);
} finally {
  await prism.stop();
}
process.exit(code);
