import { diag } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { RateLimitMeter } from '@mltel/genai';
import * as openaiV7 from 'openai';
import * as openaiV4 from 'openai-v4';
import * as openaiV5 from 'openai-v5';
import * as openaiV6 from 'openai-v6';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { SPEECH_BYTES, startOpenAIReplayServer } from '../../../test/integration/llm-replay-openai.js';
import {
  API_KEY,
  captureDiag,
  DURATION,
  ERROR_TYPE,
  FIRST_CHUNK,
  OPERATION,
  PER_CHUNK,
  PROVIDER,
  REQUEST_MODEL,
  RESPONSE_MODEL,
  SERVER_ADDRESS,
  SERVER_PORT,
  setup,
  TOKEN_TYPE,
  TOKENS,
} from '../test/harness.js';
import type { Collection, ReplayServer } from '../test/harness.js';
import { OPENAI_OPERATIONS, operationPrototype } from './openai-operations.js';
import { OpenAIInstrumentation } from './openai.js';
import { setProviderHosts } from './provider-hosts.js';

const IMAGES = 'ml.gen_ai.images';
const AUDIO = 'ml.audio.duration';
const CHARACTERS = 'ml.gen_ai.characters';

let replay: ReplayServer;
beforeAll(async () => {
  replay = await startOpenAIReplayServer();
});
afterAll(async () => {
  await replay.close();
});

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  expect(log.errors).toEqual([]);
  diag.disable();
});

/** What these tests read of a result: the parsed bodies of the operations, or a Stream. */
interface Result extends AsyncIterable<unknown> {
  data: unknown[];
  usage: { input_tokens: number; output_tokens: number; completion_tokens: number };
  duration: number;
  text: string;
  results: { flagged: boolean }[];
}
type Call = (params: object) => PromiseLike<Result>;
interface OpenAIModule {
  OpenAI: new (
    options: Record<string, unknown>,
  ) => {
    images: { generate: Call; edit: Call };
    audio: { speech: { create: Call }; transcriptions: { create: Call }; translations: { create: Call } };
    completions: { create: Call };
    moderations: { create: Call };
    chat: { completions: { create: Call } };
  };
  toFile(value: Uint8Array, name: string): Promise<unknown>;
}

const UNDICI = { midStream: 'UND_ERR_SOCKET', imageStream: true };
const MAJORS: { name: string; module: OpenAIModule; midStream: string; imageStream: boolean }[] = [
  { name: 'openai 7', module: openaiV7 as unknown as OpenAIModule, ...UNDICI },
  { name: 'openai 6', module: openaiV6 as unknown as OpenAIModule, ...UNDICI },
  { name: 'openai 5', module: openaiV5 as unknown as OpenAIModule, ...UNDICI },
  // v4 sends through node-fetch, and its images.generate() has no stream option.
  {
    name: 'openai 4',
    module: openaiV4 as unknown as OpenAIModule,
    midStream: 'ERR_STREAM_PREMATURE_CLOSE',
    imageStream: false,
  },
];

/** The instrumentation patched into `module`, recording to a real provider; unpatched after the test. */
function instrumented(module: unknown) {
  const sdk = setup();
  const rateLimits = new RateLimitMeter({ meterProvider: sdk.provider });
  const instrumentation = new OpenAIInstrumentation({ enabled: false, meter: sdk.meter, rateLimits });
  const [definition] = instrumentation.getModuleDefinitions();
  definition!.patch!(module);
  onTestFinished(() => {
    definition!.unpatch!(module);
  });
  return sdk;
}

const call = (operation: string, model?: string, extra: Attributes = {}): Attributes => ({
  [PROVIDER]: 'openai',
  [OPERATION]: operation,
  ...(model === undefined ? {} : { [REQUEST_MODEL]: model }),
  ...extra,
});

/** `[attributes without server, count]` of each point of a histogram. */
function counts(c: Collection, name: string): [Attributes, number][] {
  return c.histograms(name).map((h) => {
    const { [SERVER_ADDRESS]: _address, [SERVER_PORT]: _port, ...rest } = h.attributes;
    return [rest, h.count];
  });
}

function sums(c: Collection, name: string): [Attributes, number][] {
  return c.sums(name).map(([attributes, sum]) => {
    const { [SERVER_ADDRESS]: _address, [SERVER_PORT]: _port, ...rest } = attributes;
    return [rest, sum];
  });
}

const points = (c: Collection, name: string) => c.points(name).map((p) => [p.attributes, p.value]);

describe.each(MAJORS)('$name', ({ module, midStream, imageStream }) => {
  const client = (scenario: string) =>
    new module.OpenAI({ apiKey: API_KEY, baseURL: `${replay.url}/${scenario}/v1`, maxRetries: 0 });
  const audio = () => module.toFile(new Uint8Array([73, 68, 51]), 'speech.mp3');

  it('images: generate and edit count the images; GPT Image calls record tokens, streamed or not', async () => {
    const { collect } = instrumented(module);
    const generated = await client('ok').images.generate({ model: 'dall-e-3', prompt: 'an otter', n: 2 });
    expect(generated.data).toHaveLength(2);
    const tokens = await client('ok').images.generate({ model: 'gpt-image-1', prompt: 'an otter' });
    expect(tokens.usage.input_tokens).toBe(50);
    if (imageStream) {
      let events = 0;
      for await (const _ of await client('ok').images.generate({ model: 'gpt-image-1', prompt: 'x', stream: true }))
        events++;
      expect(events).toBe(2);
    }
    const gptImage = imageStream ? 2 : 1;
    const edited = await client('ok').images.edit({ model: 'gpt-image-1', image: await audio(), prompt: 'a hat' });
    expect(edited.data).toHaveLength(1);
    if (imageStream) {
      let events = 0;
      for await (const _ of await client('ok').images.edit({
        model: 'gpt-image-1',
        image: await audio(),
        prompt: 'a hat',
        stream: true,
      }))
        events++;
      expect(events).toBe(2);
    }
    const c = await collect();
    expect(counts(c, DURATION)).toEqual([
      [call('image_edit', 'gpt-image-1'), gptImage],
      [call('image_generation', 'dall-e-3'), 1],
      [call('image_generation', 'gpt-image-1'), gptImage],
    ]);
    expect(points(c, IMAGES)).toEqual([
      [call('image_edit', 'gpt-image-1'), gptImage],
      [call('image_generation', 'dall-e-3'), 2],
      [call('image_generation', 'gpt-image-1'), gptImage],
    ]);
    const edits = imageStream
      ? [
          [{ ...call('image_edit', 'gpt-image-1'), [TOKEN_TYPE]: 'input' }, 50],
          [{ ...call('image_edit', 'gpt-image-1'), [TOKEN_TYPE]: 'output' }, 50],
        ]
      : [];
    expect(sums(c, TOKENS)).toEqual([
      ...edits,
      [{ ...call('image_generation', 'gpt-image-1'), [TOKEN_TYPE]: 'input' }, 50 * gptImage],
      [{ ...call('image_generation', 'gpt-image-1'), [TOKEN_TYPE]: 'output' }, 50 * gptImage],
    ]);
    // Each stream: the partial image first, then the completed one.
    const timed = imageStream
      ? [
          [call('image_edit', 'gpt-image-1'), 1],
          [call('image_generation', 'gpt-image-1'), 1],
        ]
      : [];
    expect(counts(c, FIRST_CHUNK)).toEqual(timed);
    expect(counts(c, PER_CHUNK)).toEqual(timed);
  });

  it('speech: the input characters are counted (never the text); the audio reaches the caller untouched', async () => {
    const { collect } = instrumented(module);
    const response = (await client('ok').audio.speech.create({
      model: 'gpt-4o-mini-tts',
      input: 'Hello.',
      voice: 'alloy',
    })) as unknown as Response;
    expect((await response.arrayBuffer()).byteLength).toBe(SPEECH_BYTES);
    const c = await collect();
    expect(counts(c, DURATION)).toEqual([[call('speech', 'gpt-4o-mini-tts'), 1]]);
    expect(points(c, CHARACTERS)).toEqual([[call('speech', 'gpt-4o-mini-tts'), 6]]);
    expect(c.byName.has(TOKENS)).toBe(false);
  });

  it('transcriptions: billed seconds (whisper) or tokens, the stream timed; translations recorded', async () => {
    const { collect } = instrumented(module);
    const verbose = await client('ok').audio.transcriptions.create({
      model: 'whisper-1',
      file: await audio(),
      response_format: 'verbose_json',
    });
    expect(verbose.duration).toBeCloseTo(36.71, 2);
    const json = await client('ok').audio.transcriptions.create({ model: 'gpt-4o-transcribe', file: await audio() });
    expect(json.usage.output_tokens).toBe(45);
    let events = 0;
    for await (const _ of await client('ok').audio.transcriptions.create({
      model: 'gpt-4o-mini-transcribe',
      file: await audio(),
      stream: true,
    }))
      events++;
    expect(events).toBe(32);
    const translation = await client('ok').audio.translations.create({ model: 'whisper-1', file: await audio() });
    expect(translation.text).toMatch(/^Hello/);
    const c = await collect();
    expect(counts(c, DURATION)).toEqual([
      [call('transcription', 'gpt-4o-mini-transcribe'), 1],
      [call('transcription', 'gpt-4o-transcribe'), 1],
      [call('transcription', 'whisper-1'), 1],
      [call('translation', 'whisper-1'), 1],
    ]);
    // whisper-1 bills usage.seconds (37), not the 36.71 s duration.
    expect(points(c, AUDIO)).toEqual([[call('transcription', 'whisper-1'), 37]]);
    expect(sums(c, TOKENS)).toEqual([
      [{ ...call('transcription', 'gpt-4o-mini-transcribe'), [TOKEN_TYPE]: 'input' }, 14],
      [{ ...call('transcription', 'gpt-4o-mini-transcribe'), [TOKEN_TYPE]: 'output' }, 45],
      [{ ...call('transcription', 'gpt-4o-transcribe'), [TOKEN_TYPE]: 'input' }, 14],
      [{ ...call('transcription', 'gpt-4o-transcribe'), [TOKEN_TYPE]: 'output' }, 45],
    ]);
    // 31 text deltas: the first chunk, then 30 gaps; the done event carries no text delta.
    expect(counts(c, FIRST_CHUNK)).toEqual([[call('transcription', 'gpt-4o-mini-transcribe'), 1]]);
    expect(counts(c, PER_CHUNK)).toEqual([[call('transcription', 'gpt-4o-mini-transcribe'), 30]]);
  });

  it('legacy completions are text_completion; moderations keep the response model', async () => {
    const { collect } = instrumented(module);
    const completion = await client('ok').completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'x' });
    expect(completion.usage.completion_tokens).toBe(16);
    const moderation = await client('ok').moderations.create({ model: 'text-moderation-stable', input: 'x' });
    expect(moderation.results[0]?.flagged).toBe(true);
    const c = await collect();
    const legacy = call('text_completion', 'gpt-3.5-turbo-instruct', {
      [RESPONSE_MODEL]: 'gpt-3.5-turbo-instruct:20230824-v2',
    });
    const moderated = call('moderation', 'text-moderation-stable', { [RESPONSE_MODEL]: 'text-moderation-007' });
    expect(counts(c, DURATION)).toEqual([
      [moderated, 1],
      [legacy, 1],
    ]);
    expect(sums(c, TOKENS)).toEqual([
      [{ ...legacy, [TOKEN_TYPE]: 'input' }, 14],
      [{ ...legacy, [TOKEN_TYPE]: 'output' }, 16],
    ]);
  });

  it('failures keep the SDK error class and are recorded once with their error.type', async () => {
    const { collect } = instrumented(module);
    const OpenAI = module.OpenAI as unknown as Record<string, new (...args: never[]) => Error>;
    await expect(client('429').images.generate({ model: 'dall-e-3', prompt: 'x' })).rejects.toBeInstanceOf(
      OpenAI['RateLimitError']!,
    );
    await expect(
      client('500').audio.speech.create({ model: 'tts-1', input: 'Hello.', voice: 'alloy' }),
    ).rejects.toBeInstanceOf(OpenAI['InternalServerError']!);
    let received = 0;
    await expect(
      (async () => {
        const stream = await client('midstream').audio.transcriptions.create({
          model: 'gpt-4o-mini-transcribe',
          file: await audio(),
          stream: true,
        });
        for await (const _ of stream) received++;
      })(),
    ).rejects.toBeInstanceOf(Error);
    expect(received).toBe(5);
    const c = await collect();
    expect(counts(c, DURATION)).toEqual([
      [call('image_generation', 'dall-e-3', { [ERROR_TYPE]: '429' }), 1],
      [call('speech', 'tts-1', { [ERROR_TYPE]: '500' }), 1],
      [call('transcription', 'gpt-4o-mini-transcribe', { [ERROR_TYPE]: midStream }), 1],
    ]);
    // A failed speech call was not billed: no characters.
    expect(c.byName.has(CHARACTERS)).toBe(false);
  });

  it('rate-limit headers of a response become the headroom gauges (remaining, limit, reset time)', async () => {
    const { collect } = instrumented(module);
    const before = Date.now();
    const stream = await client('ok').chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    for await (const _ of stream);
    const after = Date.now();
    const c = await collect();
    const labels = (kind: string) => ({
      [PROVIDER]: 'openai',
      [REQUEST_MODEL]: 'gpt-4o-mini',
      'ml.rate_limit.kind': kind,
    });
    expect(points(c, 'ml.provider.rate_limit.remaining')).toEqual([
      [labels('requests'), 9999],
      [labels('tokens'), 9999993],
    ]);
    expect(points(c, 'ml.provider.rate_limit.limit')).toEqual([
      [labels('requests'), 10000],
      [labels('tokens'), 10000000],
    ]);
    // Reset in 6ms and 0s from the response: Unix seconds between the request and the answer.
    const [requests, tokens] = c.points('ml.provider.rate_limit.reset_time').map((p) => p.value);
    expect(requests).toBeGreaterThanOrEqual((before + 6) / 1000);
    expect(requests).toBeLessThanOrEqual((after + 6) / 1000);
    expect(tokens).toBeGreaterThanOrEqual(before / 1000);
    expect(tokens).toBeLessThanOrEqual(after / 1000);
  });
});

describe('OpenAI-compatible APIs through the openai client (captured answers and headers)', () => {
  const GO_DURATION_MS = 10332.999999;
  it.each([
    // Groq: OpenAI's headers, resets as Go durations (10.332999999s, 26ms).
    { api: 'groq', model: 'llama3-8b-8192', tokens: [18, 43], remaining: [14398, 29987], resetMs: GO_DURATION_MS },
    // Together AI: requests only, reset in seconds.
    { api: 'together', model: 'mistralai/Mixtral-8x7B-Instruct-v0.1', tokens: [18, 35], remaining: [1], resetMs: 2000 },
    // Mistral: requests per 10 s and tokens per minute, no reset.
    { api: 'mistral', model: 'mistral-tiny', tokens: [11, 96], remaining: [59, 1999893], resetMs: undefined },
  ])('$api: named by a providers rule, tokens and rate-limit headroom read', async (t) => {
    const sdk = setup();
    const rateLimits = new RateLimitMeter({ meterProvider: sdk.provider });
    const port = new URL(replay.url).port;
    const instrumentation = new OpenAIInstrumentation({
      enabled: false,
      meter: sdk.meter,
      rateLimits,
      providers: [`127.0.0.1:${port}=${t.api}`],
    });
    onTestFinished(() => {
      setProviderHosts([]);
    });
    const [definition] = instrumentation.getModuleDefinitions();
    definition!.patch!(openaiV7);
    onTestFinished(() => definition!.unpatch!(openaiV7));
    const client = new openaiV7.OpenAI({ apiKey: API_KEY, baseURL: `${replay.url}/${t.api}/v1`, maxRetries: 0 });
    const before = Date.now();
    const answer = await client.chat.completions.create({ model: t.model, messages: [{ role: 'user', content: 'x' }] });
    const after = Date.now();
    expect(answer.usage?.completion_tokens).toBe(t.tokens[1]);
    const c = await sdk.collect();
    const attributes = { [PROVIDER]: t.api, [OPERATION]: 'chat', [REQUEST_MODEL]: t.model };
    expect(counts(c, DURATION)).toEqual([[{ ...attributes, [RESPONSE_MODEL]: t.model }, 1]]);
    expect(sums(c, TOKENS).map(([, v]) => v)).toEqual(t.tokens);
    expect(c.points('ml.provider.rate_limit.remaining').map((p) => p.value)).toEqual(t.remaining);
    expect(c.points('ml.provider.rate_limit.remaining').map((p) => p.attributes[PROVIDER])).toEqual(
      t.remaining.map(() => t.api),
    );
    const [reset] = c.points('ml.provider.rate_limit.reset_time').map((p) => p.value);
    if (t.resetMs === undefined) expect(reset).toBeUndefined();
    else {
      expect(reset).toBeGreaterThanOrEqual((before + t.resetMs) / 1000);
      expect(reset).toBeLessThanOrEqual((after + t.resetMs) / 1000);
    }
  });
});

describe('where the rate-limit gauges go', () => {
  const chatStream = async () => {
    const client = new openaiV7.OpenAI({ apiKey: API_KEY, baseURL: `${replay.url}/ok/v1`, maxRetries: 0 });
    for await (const _ of await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    }));
  };
  const patch = (instrumentation: OpenAIInstrumentation) => {
    const [definition] = instrumentation.getModuleDefinitions();
    definition!.patch!(openaiV7);
    onTestFinished(() => definition!.unpatch!(openaiV7));
  };
  const remaining = (c: Collection) => c.points('ml.provider.rate_limit.remaining').map((p) => p.value);

  it('setMeterProvider(): on that provider, like the call metrics', async () => {
    const sdk = setup();
    const instrumentation = new OpenAIInstrumentation({ enabled: false });
    instrumentation.setMeterProvider(sdk.provider);
    patch(instrumentation);
    await chatStream();
    expect(remaining(await sdk.collect())).toEqual([9999, 9999993]);
  });

  it('rateLimits: false reads no header', async () => {
    const sdk = setup();
    const instrumentation = new OpenAIInstrumentation({ enabled: false, rateLimits: false });
    instrumentation.setMeterProvider(sdk.provider);
    patch(instrumentation);
    await chatStream();
    const c = await sdk.collect();
    expect(c.histograms(DURATION)).toHaveLength(1);
    expect(remaining(c)).toEqual([]);
  });
});

describe('OPENAI_OPERATIONS', () => {
  it('finds every operation in each major, under its own operation name', () => {
    for (const { module } of MAJORS) {
      for (const { path, method } of OPENAI_OPERATIONS) {
        // createVariation is gone from openai 7 (the endpoint was retired).
        if (method === 'createVariation' && module === (openaiV7 as unknown)) continue;
        expect(typeof operationPrototype(module, path)?.[method], `${path.join('.')}.${method}`).toBe('function');
      }
    }
    const names = OPENAI_OPERATIONS.map(({ shape }) => shape.describe({}, { model: 'm' }).operation);
    expect(names).toEqual([
      'chat',
      'chat',
      'text_completion',
      'embeddings',
      'image_generation',
      'image_edit',
      'image_variation',
      'speech',
      'transcription',
      'translation',
      'moderation',
    ]);
  });

  it('a module without the classes gives no prototype', () => {
    for (const exports of [undefined, {}, { OpenAI: {} }, { default: { Audio: 3 } }]) {
      expect(operationPrototype(exports, ['Audio', 'Speech'])).toBeUndefined();
    }
  });
});
