// A simulated model provider on 127.0.0.1 speaking just enough of the OpenAI and Anthropic HTTP
// APIs for their official clients: chat completions (plain and streamed, with usage) and
// messages. Deterministic: token counts follow the prompt length; Anthropic answers 529
// (overloaded) to every request whose prompt says "overload".
import { createServer } from 'node:http';

const words = (text) =>
  String(text ?? '')
    .split(/\s+/)
    .filter(Boolean).length;

function chat(body, res) {
  const prompt = body.messages.map((m) => m.content).join(' ');
  const usage = { prompt_tokens: 8 + 2 * words(prompt), completion_tokens: 40, total_tokens: 48 + 2 * words(prompt) };
  const model = 'gpt-4o-mini-2024-07-18';
  if (!body.stream) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: 'chatcmpl-sim',
        object: 'chat.completion',
        created: 1,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: 'A short summary.' }, finish_reason: 'stop' }],
        usage,
      }),
    );
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const chunk = (choices, extra = {}) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-sim', object: 'chat.completion.chunk', created: 1, model, choices, ...extra })}\n\n`;
  const parts = ['A ', 'short ', 'summary.'];
  let i = 0;
  const timer = setInterval(() => {
    if (i < parts.length) {
      res.write(chunk([{ index: 0, delta: { content: parts[i++] }, finish_reason: null }]));
      return;
    }
    clearInterval(timer);
    res.write(chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]));
    res.write(chunk([], { usage }));
    res.end('data: [DONE]\n\n');
  }, 5);
}

function messages(body, res) {
  const prompt = body.messages.map((m) => (typeof m.content === 'string' ? m.content : '')).join(' ');
  if (prompt.includes('overload')) {
    res
      .writeHead(529, { 'content-type': 'application/json' })
      .end(JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }));
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(
    JSON.stringify({
      id: 'msg_sim',
      type: 'message',
      role: 'assistant',
      model: body.model,
      content: [{ type: 'text', text: 'A short answer.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: 10 + 2 * words(prompt),
        output_tokens: 30,
        cache_read_input_tokens: 0,
        cache_creation_input_tokens: 0,
      },
    }),
  );
}

/** Starts the simulated provider; resolves with its base URL. */
export function startProvider() {
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      const body = JSON.parse(text || '{}');
      setTimeout(() => {
        if (req.url.endsWith('/chat/completions')) chat(body, res);
        else if (req.url.endsWith('/messages')) messages(body, res);
        else res.writeHead(404).end();
      }, 10);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}`, server })),
  );
}
