import type { Attributes } from '@opentelemetry/api';
import * as ollama from 'ollama';
import { describe, expect, it } from 'vitest';
import { countsOf, tokensOf, useClientReplay, useDiagLog } from '../test/clients.js';
import {
  DURATION,
  ERROR_TYPE,
  FIRST_CHUNK,
  instrument,
  OPERATION,
  PER_CHUNK,
  PROVIDER,
  REQUEST_MODEL,
  RESPONSE_MODEL,
  SERVER_ADDRESS,
  SERVER_PORT,
  setup,
  TOKEN_TYPE,
} from '../test/harness.js';
import { OllamaInstrumentation } from './ollama.js';

const replay = useClientReplay();
const log = useDiagLog();

const client = (scenario: string) => new ollama.Ollama({ host: `${replay().url}/${scenario}` });
const MESSAGES = [{ role: 'user', content: 'Tell me a joke about OpenTelemetry' }];
const attrs = (operation: string, request: string, response?: string, extra: Attributes = {}): Attributes => ({
  [PROVIDER]: 'ollama',
  [OPERATION]: operation,
  [REQUEST_MODEL]: request,
  ...(response === undefined ? {} : { [RESPONSE_MODEL]: response }),
  ...extra,
});

describe('ollama', () => {
  it('chat: duration and eval counts, with the server', async () => {
    const { meter, collect } = setup();
    instrument(OllamaInstrumentation, ollama, meter);
    const response = await client('ok').chat({ model: 'llama3', messages: MESSAGES });
    expect(response.eval_count).toBe(66);
    const c = await collect();
    const chat = attrs('chat', 'llama3', 'llama3');
    expect(c.histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([
      [{ ...chat, [SERVER_ADDRESS]: '127.0.0.1', [SERVER_PORT]: Number(new URL(replay().url).port) }, 1],
    ]);
    expect(tokensOf(c)).toEqual([
      [{ ...chat, [TOKEN_TYPE]: 'input' }, 17],
      [{ ...chat, [TOKEN_TYPE]: 'output' }, 66],
    ]);
    expect(log().warnings).toEqual([]);
  });

  it('a chat stream: every chunk reaches the caller (abort() kept), usage from the done chunk', async () => {
    const { meter, collect } = setup();
    instrument(OllamaInstrumentation, ollama, meter);
    const stream = await client('ok').chat({ model: 'llama3', messages: MESSAGES, stream: true });
    expect(typeof stream.abort).toBe('function');
    let chunks = 0;
    for await (const _ of stream) chunks++;
    expect(chunks).toBe(50);
    const c = await collect();
    const chat = attrs('chat', 'llama3', 'llama3');
    expect(countsOf(c, DURATION)).toEqual([[chat, 1]]);
    expect(tokensOf(c)).toEqual([
      [{ ...chat, [TOKEN_TYPE]: 'input' }, 17],
      [{ ...chat, [TOKEN_TYPE]: 'output' }, 50],
    ]);
    expect(countsOf(c, FIRST_CHUNK)).toEqual([[attrs('chat', 'llama3'), 1]]);
    // 49 of the 50 chunks carry text: 48 gaps.
    expect(countsOf(c, PER_CHUNK)).toEqual([[attrs('chat', 'llama3'), 48]]);
  });

  it('generate is a text completion; embeddings has no usage to record', async () => {
    const { meter, collect } = setup();
    instrument(OllamaInstrumentation, ollama, meter);
    await client('ok').generate({ model: 'llama3', prompt: 'Tell me a joke' });
    const embedding = await client('ok').embeddings({ model: 'all-minilm', prompt: 'hello' });
    expect(embedding.embedding.length).toBeGreaterThan(0);
    const c = await collect();
    expect(countsOf(c, DURATION)).toEqual([
      [attrs('embeddings', 'all-minilm'), 1],
      [attrs('text_completion', 'llama3', 'llama3'), 1],
    ]);
    expect(tokensOf(c)).toEqual([
      [{ ...attrs('text_completion', 'llama3', 'llama3'), [TOKEN_TYPE]: 'input' }, 17],
      [{ ...attrs('text_completion', 'llama3', 'llama3'), [TOKEN_TYPE]: 'output' }, 63],
    ]);
  });

  it.each(['429', '500'])(
    'an HTTP %s: the same ResponseError reaches the caller, error.type is the status',
    async (status) => {
      const { meter, collect } = setup();
      const request = () =>
        client(status)
          .chat({ model: 'llama3', messages: MESSAGES })
          .then(
            () => new Error('unexpected success'),
            (e: unknown) => e as Error,
          );
      const plain = await request();
      instrument(OllamaInstrumentation, ollama, meter);
      const error = await request();
      expect(error.name).toBe('ResponseError');
      expect(error.message).toBe(plain.message);
      const c = await collect();
      expect(countsOf(c, DURATION)).toEqual([[attrs('chat', 'llama3', undefined, { [ERROR_TYPE]: status }), 1]]);
    },
  );

  it('the default instance is recorded too', async () => {
    const { meter, collect } = setup();
    instrument(OllamaInstrumentation, ollama, meter);
    const instance = ollama.default as unknown as { config: { host: string } };
    const host = instance.config.host;
    instance.config.host = `${replay().url}/ok`;
    try {
      await ollama.default.chat({ model: 'llama3', messages: MESSAGES });
    } finally {
      instance.config.host = host;
    }
    expect(countsOf(await collect(), DURATION)).toEqual([[attrs('chat', 'llama3', 'llama3'), 1]]);
  });
});

describe('ollama streams', () => {
  it('a chat stream cut after its first chunk: the caller sees the error, the call fails', async () => {
    const { meter, collect } = setup();
    instrument(OllamaInstrumentation, ollama, meter);
    const stream = await client('midstream').chat({ model: 'llama3', messages: MESSAGES, stream: true });
    let chunks = 0;
    const error = await (async () => {
      for await (const _ of stream) chunks++;
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(chunks).toBe(1);
    const [[attributes, count]] = countsOf(await collect(), DURATION) as [[Attributes, number]];
    expect(count).toBe(1);
    expect(attributes[ERROR_TYPE]).toBe('UND_ERR_SOCKET');
  });
});
