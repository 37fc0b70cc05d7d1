import { createOpenAI } from '@ai-sdk/openai';
import { embed, embedMany, generateText, streamText } from 'ai';
import * as openaiModule from 'openai';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  API_KEY,
  DURATION,
  ERROR_TYPE,
  instrument,
  setup,
  startReplayServer,
  TOKEN_DETAIL,
  TOKEN_TYPE,
} from '../test/harness.js';
import type { ReplayServer } from '../test/harness.js';
import { countsOf, tokensOf, useDiagLog } from '../test/clients.js';
import { AiSdkInstrumentation, aiSdkProviderName } from './ai-sdk.js';
import { OpenAIInstrumentation } from './openai.js';

// The AI SDK's OpenAI provider (it sends with fetch) against the replay of captured OpenAI answers.
let replay: ReplayServer;
beforeAll(async () => {
  replay = await startReplayServer();
});
afterAll(async () => {
  await replay.close();
});
const log = useDiagLog();

const provider = (scenario: string) => createOpenAI({ apiKey: API_KEY, baseURL: `${replay.url}/${scenario}/v1` });
const PROMPT = 'count the letter r in strawberry';

/** The AI SDK instrumentation, enabled for the test, recording to a fresh provider meter. */
function recorded() {
  const sdk = setup();
  const instrumentation = new AiSdkInstrumentation({ enabled: false, meter: sdk.meter });
  instrumentation.enable();
  onTestFinished(() => instrumentation.disable());
  return sdk;
}

const chat = (request: string, response?: string, extra: Record<string, string> = {}) => ({
  'gen_ai.provider.name': 'openai',
  'gen_ai.operation.name': 'chat',
  'gen_ai.request.model': request,
  ...(response === undefined ? {} : { 'gen_ai.response.model': response }),
  ...extra,
});

describe('the Vercel AI SDK', () => {
  it('generateText: one model call with the provider, models and tokens', async () => {
    const { collect } = recorded();
    const result = await generateText({ model: provider('ok').chat('gpt-5-nano'), prompt: PROMPT, maxRetries: 0 });
    expect(result.usage.outputTokens).toBe(228);
    const c = await collect();
    const attributes = chat('gpt-5-nano', 'gpt-5-nano-2025-08-07');
    expect(countsOf(c, DURATION)).toEqual([[attributes, 1]]);
    expect(tokensOf(c)).toEqual([
      [{ ...attributes, [TOKEN_TYPE]: 'input' }, 11],
      [{ ...attributes, [TOKEN_TYPE]: 'output' }, 228],
    ]);
    expect(c.points(TOKEN_DETAIL).map((p) => [p.attributes[TOKEN_TYPE], p.value])).toEqual([['reasoning', 192]]);
    expect(log().warnings).toEqual([]);
  });

  it('streamText: the text reaches the caller, usage from the finish part, chunk timings', async () => {
    const { collect } = recorded();
    const result = streamText({ model: provider('ok').chat('gpt-4o-mini'), prompt: PROMPT, maxRetries: 0 });
    let deltas = 0;
    for await (const _ of result.textStream) deltas++;
    expect(deltas).toBeGreaterThan(0);
    expect((await result.usage).outputTokens).toBe(12);
    const c = await collect();
    const attributes = chat('gpt-4o-mini', 'gpt-4o-mini-2024-07-18');
    expect(countsOf(c, DURATION)).toEqual([[attributes, 1]]);
    expect(tokensOf(c)).toEqual([
      [{ ...attributes, [TOKEN_TYPE]: 'input' }, 12],
      [{ ...attributes, [TOKEN_TYPE]: 'output' }, 12],
    ]);
    expect(countsOf(c, 'gen_ai.client.operation.time_to_first_chunk')).toEqual([[chat('gpt-4o-mini'), 1]]);
  });

  it('a stream cut mid-way: the caller sees the error, the call fails with the socket error', async () => {
    const { collect } = recorded();
    const result = streamText({ model: provider('midstream').chat('gpt-4o-mini'), prompt: PROMPT, maxRetries: 0 });
    const error = await (async () => {
      for await (const part of result.fullStream) if (part.type === 'error') throw part.error;
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const [[attributes, count]] = countsOf(await collect(), DURATION) as [[Record<string, unknown>, number]];
    expect(count).toBe(1);
    expect(attributes[ERROR_TYPE]).toBe('UND_ERR_SOCKET');
  });

  it('embed and embedMany: the embeddings operation with its input tokens', async () => {
    const { collect } = recorded();
    const model = provider('ok').embedding('text-embedding-3-small');
    await embed({ model, value: 'hello', maxRetries: 0 });
    await embedMany({ model, values: ['hello'], maxRetries: 0 });
    const c = await collect();
    const attributes = {
      'gen_ai.provider.name': 'openai',
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.request.model': 'text-embedding-3-small',
    };
    expect(countsOf(c, DURATION)).toEqual([[attributes, 2]]);
    expect(tokensOf(c)).toEqual([[{ ...attributes, [TOKEN_TYPE]: 'input' }, 16]]);
  });

  it.each([
    ['429', '429'],
    ['500', '500'],
  ])('an HTTP %s: the same APICallError reaches the caller, error.type %s', async (scenario, type) => {
    const request = () =>
      generateText({ model: provider(scenario).chat('gpt-5-nano'), prompt: PROMPT, maxRetries: 0 }).catch(
        (e: unknown) => e,
      );
    const plain = (await request()) as Error;
    const { collect } = recorded();
    const error = (await request()) as Error;
    expect(error.constructor).toBe(plain.constructor);
    expect(error.message).toBe(plain.message);
    const c = await collect();
    expect(countsOf(c, DURATION)).toEqual([[chat('gpt-5-nano', undefined, { [ERROR_TYPE]: type }), 1]]);
  });

  it('a model built on the instrumented openai client is counted once, by the AI SDK', async () => {
    const { meter, collect } = recorded();
    instrument(OpenAIInstrumentation, openaiModule, meter);
    const client = new openaiModule.OpenAI({ apiKey: API_KEY, baseURL: `${replay.url}/ok/v1`, maxRetries: 0 });
    const model = {
      specificationVersion: 'v3' as const,
      provider: 'openai.custom',
      modelId: 'gpt-5-nano',
      supportedUrls: {},
      async doGenerate() {
        const completion = await client.chat.completions.create({ model: 'gpt-5-nano', messages: [] });
        return {
          content: [{ type: 'text' as const, text: completion.choices[0]?.message.content ?? '' }],
          finishReason: { unified: 'stop' as const, raw: 'stop' },
          usage: {
            inputTokens: {
              total: completion.usage?.prompt_tokens,
              noCache: undefined,
              cacheRead: undefined,
              cacheWrite: undefined,
            },
            outputTokens: { total: completion.usage?.completion_tokens, text: undefined, reasoning: undefined },
          },
          response: { modelId: completion.model },
          warnings: [],
        };
      },
      async doStream(): Promise<never> {
        throw new Error('not used');
      },
    };
    await generateText({ model, prompt: PROMPT, maxRetries: 0 });
    const c = await collect();
    expect(countsOf(c, DURATION)).toEqual([[chat('gpt-5-nano', 'gpt-5-nano-2025-08-07'), 1]]);
    // Outside the AI SDK the openai client is still recorded (it knows the server).
    await client.chat.completions.create({ model: 'gpt-5-nano', messages: [] });
    const servers = (await collect()).histograms(DURATION).map((h) => [h.attributes['server.address'], h.count]);
    expect(servers).toHaveLength(2);
    expect(servers).toEqual(
      expect.arrayContaining([
        ['127.0.0.1', 1],
        [undefined, 1],
      ]),
    );
  });

  it('disable() leaves the SDK unrecorded', async () => {
    const sdk = setup();
    const instrumentation = new AiSdkInstrumentation({ enabled: false, meter: sdk.meter });
    instrumentation.enable();
    instrumentation.disable();
    await generateText({ model: provider('ok').chat('gpt-5-nano'), prompt: PROMPT, maxRetries: 0 });
    expect((await sdk.collect()).histograms(DURATION)).toEqual([]);
    expect((globalThis as { AI_SDK_TELEMETRY_INTEGRATIONS?: unknown[] }).AI_SDK_TELEMETRY_INTEGRATIONS).toEqual([]);
  });
});

describe('aiSdkProviderName', () => {
  it.each([
    ['openai.chat', 'openai'],
    ['openai.responses', 'openai'],
    ['anthropic.messages', 'anthropic'],
    ['google.generative-ai', 'gcp.gemini'],
    ['google.vertex.chat', 'gcp.vertex_ai'],
    ['amazon-bedrock', 'aws.bedrock'],
    ['mistral.chat', 'mistral_ai'],
    ['xai.chat', 'x_ai'],
    ['fireworks.chat', 'fireworks'],
    ['', 'ai_sdk'],
    [42, 'ai_sdk'],
    ['x'.repeat(60), 'ai_sdk'],
  ])('%s is %s', (id, name) => {
    expect(aiSdkProviderName(id)).toBe(name);
  });
});
