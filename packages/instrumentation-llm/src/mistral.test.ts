import { RateLimitMeter } from '@mltel/genai';
import * as mistral from '@mistralai/mistralai';
import type { Attributes } from '@opentelemetry/api';
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
import { MistralInstrumentation } from './mistral.js';

const replay = useClientReplay();
const log = useDiagLog();

const client = (scenario: string) =>
  new mistral.Mistral({ apiKey: API_KEY, serverURL: `${replay().url}/${scenario}`, retryConfig: { strategy: 'none' } });
const MESSAGES = [{ role: 'user' as const, content: 'Tell me a joke about OpenTelemetry' }];

const attrs = (operation: string, request: string, response?: string, extra: Attributes = {}): Attributes => ({
  [PROVIDER]: 'mistral_ai',
  [OPERATION]: operation,
  [REQUEST_MODEL]: request,
  ...(response === undefined ? {} : { [RESPONSE_MODEL]: response }),
  ...extra,
});

describe('@mistralai/mistralai', () => {
  it("the response's x-ratelimit-* headers (captured from Mistral) feed the rate-limit gauges", async () => {
    const { meter, collect, provider } = setup();
    const instrumentation = instrument(MistralInstrumentation, mistral, meter);
    instrumentation.setConfig({
      ...instrumentation.getConfig(),
      rateLimits: new RateLimitMeter({ meterProvider: provider }),
    });
    const response = await client('headers').chat.complete({ model: 'mistral-tiny', messages: MESSAGES });
    expect(response.usage.completionTokens).toBe(96);
    const c = await collect();
    const gauge = (name: string) =>
      c
        .points(name)
        .map((p) => [p.attributes[PROVIDER], p.attributes['ml.rate_limit.kind'], p.attributes[REQUEST_MODEL], p.value]);
    // mistral-ratelimit-headers.json: 59 of 60 requests per 10 seconds, 1999893 of 2000000 tokens
    // per minute (the monthly token budget has no gauge kind).
    expect(gauge('ml.provider.rate_limit.remaining')).toEqual([
      ['mistral_ai', 'requests', 'mistral-tiny', 59],
      ['mistral_ai', 'tokens', 'mistral-tiny', 1999893],
    ]);
    expect(gauge('ml.provider.rate_limit.limit')).toEqual([
      ['mistral_ai', 'requests', 'mistral-tiny', 60],
      ['mistral_ai', 'tokens', 'mistral-tiny', 2000000],
    ]);
  });

  it('chat.complete: duration and tokens, with the server', async () => {
    const { meter, collect } = setup();
    instrument(MistralInstrumentation, mistral, meter);
    const response = await client('ok').chat.complete({ model: 'mistral-tiny', messages: MESSAGES });
    expect(response.usage.completionTokens).toBe(81);
    const c = await collect();
    const chat = attrs('chat', 'mistral-tiny', 'mistral-tiny');
    expect(c.histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([
      [{ ...chat, [SERVER_ADDRESS]: '127.0.0.1', [SERVER_PORT]: Number(new URL(replay().url).port) }, 1],
    ]);
    expect(tokensOf(c)).toEqual([
      [{ ...chat, [TOKEN_TYPE]: 'input' }, 11],
      [{ ...chat, [TOKEN_TYPE]: 'output' }, 81],
    ]);
    expect(log().warnings).toEqual([]);
  });

  it('chat.stream: every event reaches the caller, usage from the last chunk, chunk timings', async () => {
    const { meter, collect } = setup();
    instrument(MistralInstrumentation, mistral, meter);
    const stream = await client('ok').chat.stream({ model: 'mistral-tiny', messages: MESSAGES });
    let events = 0;
    for await (const _ of stream) events++;
    expect(events).toBe(102);
    const c = await collect();
    const chat = attrs('chat', 'mistral-tiny', 'mistral-tiny');
    expect(countsOf(c, DURATION)).toEqual([[chat, 1]]);
    expect(tokensOf(c)).toEqual([
      [{ ...chat, [TOKEN_TYPE]: 'input' }, 11],
      [{ ...chat, [TOKEN_TYPE]: 'output' }, 101],
    ]);
    expect(countsOf(c, FIRST_CHUNK)).toEqual([[attrs('chat', 'mistral-tiny'), 1]]);
    // 100 of the 102 chunks carry text: 99 gaps.
    expect(countsOf(c, PER_CHUNK)).toEqual([[attrs('chat', 'mistral-tiny'), 99]]);
  });

  it('embeddings.create: the embeddings operation with its input tokens', async () => {
    const { meter, collect } = setup();
    instrument(MistralInstrumentation, mistral, meter);
    const response = await client('ok').embeddings.create({ model: 'mistral-embed', inputs: ['Tell me a joke'] });
    expect(response.data[0]?.embedding).toHaveLength(1024);
    const c = await collect();
    const embed = attrs('embeddings', 'mistral-embed', 'mistral-embed');
    expect(tokensOf(c)).toEqual([
      [{ ...embed, [TOKEN_TYPE]: 'input' }, 10],
      [{ ...embed, [TOKEN_TYPE]: 'output' }, 0],
    ]);
  });

  it.each([
    ['429', '429'],
    ['500', '500'],
  ])('an HTTP %s: the same error reaches the caller, error.type %s', async (scenario, type) => {
    const { meter, collect } = setup();
    const request = () =>
      client(scenario)
        .chat.complete({ model: 'mistral-tiny', messages: MESSAGES })
        .then(
          () => new Error('unexpected success'),
          (e: unknown) => e as Error,
        );
    const plain = await request();
    instrument(MistralInstrumentation, mistral, meter);
    const error = await request();
    expect(error.constructor).toBe(plain.constructor);
    expect(error.message).toBe(plain.message);
    const c = await collect();
    expect(countsOf(c, DURATION)).toEqual([[attrs('chat', 'mistral-tiny', undefined, { [ERROR_TYPE]: type }), 1]]);
  });

  it('a stream cut after its first event: the caller sees the error, the call fails', async () => {
    const { meter, collect } = setup();
    instrument(MistralInstrumentation, mistral, meter);
    const stream = await client('midstream').chat.stream({ model: 'mistral-tiny', messages: MESSAGES });
    const error = await (async () => {
      for await (const _ of stream);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const c = await collect();
    const [[attributes]] = countsOf(c, DURATION) as [[Attributes, number]];
    expect(attributes[ERROR_TYPE]).toBe('UND_ERR_SOCKET');
  });

  it('unpatching restores the getters and the resource methods', async () => {
    const { meter, collect } = setup();
    const before = Object.getOwnPropertyDescriptor(mistral.Mistral.prototype, 'chat');
    const instrumentation = new MistralInstrumentation({ enabled: false, meter });
    const [definition] = instrumentation.getModuleDefinitions();
    definition!.patch!(mistral);
    await client('ok').chat.complete({ model: 'mistral-tiny', messages: MESSAGES });
    definition!.unpatch!(mistral);
    expect(Object.getOwnPropertyDescriptor(mistral.Mistral.prototype, 'chat')).toEqual(before);
    await client('ok').chat.complete({ model: 'mistral-tiny', messages: MESSAGES });
    expect(countsOf(await collect(), DURATION)).toEqual([[attrs('chat', 'mistral-tiny', 'mistral-tiny'), 1]]);
  });
});
