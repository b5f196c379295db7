// A local LLM provider speaking the OpenAI chat-completions and Anthropic messages HTTP protocols: plain answers,
// streamed SSE, tool calls and error responses. The request decides the answer, so the check needs no state here:
// a model name containing "fail" gets an error, a request with tools a tool call, "stream": true an SSE stream.
import http from 'node:http';

const USAGE = { input: 12, output: 7 };

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function sse(res, events) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  for (const [name, data] of events) {
    res.write((name ? `event: ${name}\n` : '') + `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
  }
  res.end();
}

function lastUserText(messages) {
  const m = [...(messages ?? [])].reverse().find((x) => x.role === 'user');
  if (!m) return '';
  if (typeof m.content === 'string') return m.content;
  return (m.content ?? []).map((p) => p.text ?? '').join(' ');
}

function openai(body, res) {
  const model = body.model ?? 'gpt-4o-mini';
  if (model.includes('fail')) {
    return sendJson(res, 400, { error: { message: `The model ${model} does not exist (fake provider)`, type: 'invalid_request_error', param: 'model', code: 'model_not_found' } });
  }
  const reply = `Echo: ${lastUserText(body.messages).slice(0, 200)}`;
  const created = Math.floor(Date.now() / 1000);
  const usage = { prompt_tokens: USAGE.input, completion_tokens: USAGE.output, total_tokens: USAGE.input + USAGE.output };
  const tool = body.tools?.length ? body.tools[0].function.name : null;
  const toolCall = { id: 'call_fake_1', type: 'function', function: { name: tool, arguments: JSON.stringify({ city: 'Paris', unit: 'celsius' }) } };
  if (body.stream) {
    const base = { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created, model };
    const events = [[null, { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }]];
    if (tool) {
      events.push([null, { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: toolCall.id, type: 'function', function: { name: tool, arguments: '' } }] }, finish_reason: null }] }]);
      events.push([null, { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: toolCall.function.arguments } }] }, finish_reason: null }] }]);
    } else {
      for (const piece of reply.match(/.{1,6}/g)) {
        events.push([null, { ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] }]);
      }
    }
    events.push([null, { ...base, choices: [{ index: 0, delta: {}, finish_reason: tool ? 'tool_calls' : 'stop' }] }]);
    if (body.stream_options?.include_usage) events.push([null, { ...base, choices: [], usage }]);
    events.push([null, '[DONE]']);
    return sse(res, events);
  }
  const message = tool ? { role: 'assistant', content: null, tool_calls: [toolCall] } : { role: 'assistant', content: reply };
  return sendJson(res, 200, {
    id: 'chatcmpl-fake', object: 'chat.completion', created, model,
    choices: [{ index: 0, message, finish_reason: tool ? 'tool_calls' : 'stop', logprobs: null }], usage,
  });
}

function anthropic(body, res) {
  const model = body.model ?? 'claude-sonnet-4-5';
  if (model.includes('fail')) {
    return sendJson(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: `model: ${model} not found (fake provider)` } });
  }
  const reply = `Echo: ${lastUserText(body.messages).slice(0, 200)}`;
  const tool = body.tools?.length ? body.tools[0].name : null;
  const content = tool ? [{ type: 'tool_use', id: 'toolu_fake_1', name: tool, input: { city: 'Paris', unit: 'celsius' } }] : [{ type: 'text', text: reply }];
  const stopReason = tool ? 'tool_use' : 'end_turn';
  if (body.stream) {
    const events = [['message_start', { type: 'message_start', message: { id: 'msg_fake', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: USAGE.input, output_tokens: 1 } } }]];
    if (tool) {
      events.push(['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_fake_1', name: tool, input: {} } }]);
      events.push(['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: JSON.stringify(content[0].input) } }]);
    } else {
      events.push(['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }]);
      for (const piece of reply.match(/.{1,6}/g)) {
        events.push(['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } }]);
      }
    }
    events.push(['content_block_stop', { type: 'content_block_stop', index: 0 }]);
    events.push(['message_delta', { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: USAGE.output } }]);
    events.push(['message_stop', { type: 'message_stop' }]);
    return sse(res, events);
  }
  return sendJson(res, 200, {
    id: 'msg_fake', type: 'message', role: 'assistant', model, content, stop_reason: stopReason, stop_sequence: null,
    usage: { input_tokens: USAGE.input, output_tokens: USAGE.output },
  });
}

/** Starts the fake on a free port; resolves to { url, requests, close }. */
export async function startFakeProvider() {
  const stats = { requests: 0 };
  const server = http.createServer(async (req, res) => {
    try {
      stats.requests++;
      const raw = await readBody(req);
      const body = raw ? JSON.parse(raw) : {};
      const path = new URL(req.url, 'http://x').pathname;
      if (req.method === 'POST' && path.endsWith('/chat/completions')) return openai(body, res);
      if (req.method === 'POST' && path.endsWith('/messages')) return anthropic(body, res);
      sendJson(res, 404, { error: { message: `fake provider: no route ${req.method} ${path}`, type: 'not_found' } });
    } catch (e) {
      sendJson(res, 500, { error: { message: String(e), type: 'server_error' } });
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, stats, close: () => new Promise((resolve) => server.close(resolve)) };
}
