import { RateLimitMeter } from '@mltel/genai';
import type { Attributes } from '@opentelemetry/api';
import * as groq from 'groq-sdk';
import { describe, expect, it } from 'vitest';
import { countsOf, tokensOf, useClientReplay, useDiagLog } from '../test/clients.js';
import {
  API_KEY,
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
import { GroqInstrumentation } from './groq.js';

const replay = useClientReplay();
const log = useDiagLog();

const client = (scenario: string) =>
  new groq.Groq({ apiKey: API_KEY, baseURL: `${replay().url}/${scenario}`, maxRetries: 0 });
const MESSAGES = [{ role: 'user' as const, content: 'Tell me a joke about opentelemetry' }];
const attrs = (request: string, response?: string, extra: Attributes = {}): Attributes => ({
  [PROVIDER]: 'groq',
  [OPERATION]: 'chat',
  [REQUEST_MODEL]: request,
  ...(response === undefined ? {} : { [RESPONSE_MODEL]: response }),
  ...extra,
});

describe('groq-sdk', () => {
  it('chat.completions.create: duration and tokens, with the server', async () => {
    const { meter, collect } = setup();
    instrument(GroqInstrumentation, groq, meter);
    const completion = await client('ok').chat.completions.create({ model: 'llama3-8b-8192', messages: MESSAGES });
    expect(completion.usage?.completion_tokens).toBe(43);
    const c = await collect();
    const chat = attrs('llama3-8b-8192', 'llama3-8b-8192');
    expect(c.histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([
      [{ ...chat, [SERVER_ADDRESS]: '127.0.0.1', [SERVER_PORT]: Number(new URL(replay().url).port) }, 1],
    ]);
    expect(tokensOf(c)).toEqual([
      [{ ...chat, [TOKEN_TYPE]: 'input' }, 18],
      [{ ...chat, [TOKEN_TYPE]: 'output' }, 43],
    ]);
    expect(log().warnings).toEqual([]);
  });

  it("the response's x-ratelimit-* headers (captured from Groq) feed the rate-limit gauges", async () => {
    const { meter, collect, provider } = setup();
    const instrumentation = instrument(GroqInstrumentation, groq, meter);
    instrumentation.setConfig({
      ...instrumentation.getConfig(),
      rateLimits: new RateLimitMeter({ meterProvider: provider }),
    });
    const completion = await client('ok').chat.completions.create({ model: 'llama3-8b-8192', messages: MESSAGES });
    expect(completion.usage?.completion_tokens).toBe(43);
    const c = await collect();
    const gauge = (name: string) =>
      c.points(name).map((p) => [p.attributes['ml.rate_limit.kind'], p.attributes[REQUEST_MODEL], p.value]);
    // groq-ratelimit-headers.json: 14398 of 14400 requests (per day), 29987 of 30000 tokens (per minute).
    expect(gauge('ml.provider.rate_limit.remaining')).toEqual([
      ['requests', 'llama3-8b-8192', 14398],
      ['tokens', 'llama3-8b-8192', 29987],
    ]);
    expect(gauge('ml.provider.rate_limit.limit')).toEqual([
      ['requests', 'llama3-8b-8192', 14400],
      ['tokens', 'llama3-8b-8192', 30000],
    ]);
    expect(c.points('ml.provider.rate_limit.remaining')[0]?.attributes[PROVIDER]).toBe('groq');
  });

  it('a stream: every chunk reaches the caller, usage from x_groq in the last chunk, chunk timings', async () => {
    const { meter, collect } = setup();
    instrument(GroqInstrumentation, groq, meter);
    const stream = await client('ok').chat.completions.create({
      model: 'llama3-8b-8192',
      messages: MESSAGES,
      stream: true,
    });
    expect(typeof stream.controller.abort).toBe('function');
    let chunks = 0;
    for await (const _ of stream) chunks++;
    expect(chunks).toBe(74);
    const c = await collect();
    const chat = attrs('llama3-8b-8192', 'llama3-8b-8192');
    expect(countsOf(c, DURATION)).toEqual([[chat, 1]]);
    expect(tokensOf(c)).toEqual([
      [{ ...chat, [TOKEN_TYPE]: 'input' }, 18],
      [{ ...chat, [TOKEN_TYPE]: 'output' }, 73],
    ]);
    expect(countsOf(c, FIRST_CHUNK)).toEqual([[attrs('llama3-8b-8192'), 1]]);
    // 72 of the 74 chunks carry text: 71 gaps.
    expect(countsOf(c, PER_CHUNK)).toEqual([[attrs('llama3-8b-8192'), 71]]);
  });

  it.each([
    ['429', '429', 'RateLimitError'],
    ['500', '500', 'InternalServerError'],
  ])('an HTTP %s: the SDK error %s reaches the caller', async (scenario, type, name) => {
    const { meter, collect } = setup();
    instrument(GroqInstrumentation, groq, meter);
    const error = await client(scenario)
      .chat.completions.create({ model: 'llama3-8b-8192', messages: MESSAGES })
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(error?.constructor.name).toBe(name);
    const c = await collect();
    expect(countsOf(c, DURATION)).toEqual([[attrs('llama3-8b-8192', undefined, { [ERROR_TYPE]: type }), 1]]);
  });

  it('a stream cut after its first chunk fails with the socket error', async () => {
    const { meter, collect } = setup();
    instrument(GroqInstrumentation, groq, meter);
    const stream = await client('midstream').chat.completions.create({
      model: 'llama3-8b-8192',
      messages: MESSAGES,
      stream: true,
    });
    const error = await (async () => {
      for await (const _ of stream);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const [[attributes]] = countsOf(await collect(), DURATION) as [[Attributes, number]];
    expect(attributes[ERROR_TYPE]).toBe('UND_ERR_SOCKET');
  });
});
