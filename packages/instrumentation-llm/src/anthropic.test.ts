import { diag } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { MLTEL_VERSION } from '@mltel/kit';
import * as anthropicV1 from '@anthropic-ai/sdk';
import * as anthropicV0 from 'anthropic-v0';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  API_KEY,
  captureDiag,
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
  startReplayServer,
  TOKEN_DETAIL,
  TOKEN_TYPE,
  TOKENS,
} from '../test/harness.js';
import type { Collection, ReplayServer } from '../test/harness.js';
import { ANTHROPIC_SUPPORTED_VERSIONS, AnthropicInstrumentation } from './anthropic.js';

let replay: ReplayServer;
beforeAll(async () => {
  replay = await startReplayServer();
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

// The part of both majors' client these tests call (their own types differ).
/** What these tests read of a result: a message, or the Stream of a `stream: true` call. */
interface Result extends AsyncIterable<unknown> {
  usage: { output_tokens: number };
}
interface MessagesApi {
  create(params: object): PromiseLike<Result>;
  stream(params: object): { finalMessage(): Promise<Result> };
}
interface AnthropicModule {
  Anthropic: (new (
    options: Record<string, unknown>,
  ) => { messages: MessagesApi; beta: { messages: MessagesApi } }) & {
    APIError: new (...args: never[]) => Error;
  };
}

const MAJORS: { name: string; module: AnthropicModule }[] = [
  { name: '@anthropic-ai/sdk 1', module: anthropicV1 as unknown as AnthropicModule },
  { name: '@anthropic-ai/sdk 0', module: anthropicV0 as unknown as AnthropicModule },
];
const MESSAGES = [{ role: 'user', content: 'count the letter r in strawberry' }];

/** The gen_ai attributes of a Messages call. */
const messages = (request: string, response?: string, extra: Attributes = {}): Attributes => ({
  [PROVIDER]: 'anthropic',
  [OPERATION]: 'chat',
  [REQUEST_MODEL]: request,
  ...(response === undefined ? {} : { [RESPONSE_MODEL]: response }),
  ...extra,
});

/** `[attributes without server, count]` of each point of a histogram. */
function counts(c: Collection, name: string): [Attributes, number][] {
  return c.histograms(name).map((h) => {
    const { [SERVER_ADDRESS]: _address, [SERVER_PORT]: _port, ...rest } = h.attributes;
    return [rest, h.count];
  });
}

/** `[attributes without server, sum]` of each token-usage point. */
function tokens(c: Collection): [Attributes, number][] {
  return c.sums(TOKENS).map(([attributes, sum]) => {
    const { [SERVER_ADDRESS]: _address, [SERVER_PORT]: _port, ...rest } = attributes;
    return [rest, sum];
  });
}

describe.each(MAJORS)('$name', ({ module }) => {
  const client = (scenario: string) =>
    new module.Anthropic({ apiKey: API_KEY, baseURL: `${replay.url}/${scenario}`, maxRetries: 0 });

  it('messages.create: input normalised to include cache reads and writes, with the server', async () => {
    const { meter, collect } = setup();
    instrument(AnthropicInstrumentation, module, meter);
    const message = await client('ok').messages.create({
      model: 'claude-3-5-sonnet-20240620',
      max_tokens: 64,
      messages: MESSAGES,
    });
    expect(message.usage.output_tokens).toBe(202);
    const c = await collect();
    const attributes = messages('claude-3-5-sonnet-20240620', 'claude-3-5-sonnet-20240620');
    expect(c.histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([
      [{ ...attributes, [SERVER_ADDRESS]: '127.0.0.1', [SERVER_PORT]: Number(new URL(replay.url).port) }, 1],
    ]);
    // input_tokens 4 + cache_read 1163 + cache_creation 0.
    expect(tokens(c)).toEqual([
      [{ ...attributes, [TOKEN_TYPE]: 'input' }, 1167],
      [{ ...attributes, [TOKEN_TYPE]: 'output' }, 202],
    ]);
    expect(c.points(TOKEN_DETAIL).map((p) => [p.attributes[TOKEN_TYPE], p.value])).toEqual([['cache_read', 1163]]);
    expect(log.warnings).toEqual([]);
  });

  it('a stream: input from message_start, output from message_delta, one content delta timed', async () => {
    const { meter, collect } = setup();
    instrument(AnthropicInstrumentation, module, meter);
    const stream = await client('ok').messages.create({
      model: 'claude-sonnet-4-20250514',
      max_tokens: 64,
      messages: MESSAGES,
      stream: true,
    });
    let events = 0;
    for await (const _ of stream) events++;
    expect(events).toBe(6);
    const c = await collect();
    const attributes = messages('claude-sonnet-4-20250514', 'claude-sonnet-4-20250514');
    expect(counts(c, DURATION)).toEqual([[attributes, 1]]);
    expect(tokens(c)).toEqual([
      [{ ...attributes, [TOKEN_TYPE]: 'input' }, 13],
      [{ ...attributes, [TOKEN_TYPE]: 'output' }, 5],
    ]);
    expect(counts(c, FIRST_CHUNK)).toEqual([[messages('claude-sonnet-4-20250514'), 1]]);
    expect(counts(c, PER_CHUNK)).toEqual([]);
  });

  it('the messages.stream() helper is recorded once, through create()', async () => {
    const { meter, collect } = setup();
    instrument(AnthropicInstrumentation, module, meter);
    const final = await client('ok')
      .messages.stream({ model: 'claude-helper', max_tokens: 64, messages: MESSAGES })
      .finalMessage();
    expect(final.usage.output_tokens).toBe(5);
    const c = await collect();
    const attributes = messages('claude-helper', 'claude-sonnet-4-20250514');
    expect(counts(c, DURATION)).toEqual([[attributes, 1]]);
    expect(tokens(c)).toEqual([
      [{ ...attributes, [TOKEN_TYPE]: 'input' }, 13],
      [{ ...attributes, [TOKEN_TYPE]: 'output' }, 5],
    ]);
  });

  it('the beta Messages API is recorded too', async () => {
    const { meter, collect } = setup();
    instrument(AnthropicInstrumentation, module, meter);
    await client('ok').beta.messages.create({
      model: 'claude-3-5-sonnet-20240620',
      max_tokens: 64,
      messages: MESSAGES,
    });
    const c = await collect();
    expect(counts(c, DURATION)).toEqual([[messages('claude-3-5-sonnet-20240620', 'claude-3-5-sonnet-20240620'), 1]]);
  });

  it('an overloaded provider (529) keeps the SDK error and is recorded with its status', async () => {
    const { meter, collect } = setup();
    instrument(AnthropicInstrumentation, module, meter);
    await expect(
      client('529').messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 8, messages: MESSAGES }),
    ).rejects.toBeInstanceOf(module.Anthropic.APIError);
    const c = await collect();
    expect(counts(c, DURATION)).toEqual([
      [messages('claude-sonnet-4-20250514', undefined, { [ERROR_TYPE]: '529' }), 1],
    ]);
    expect(tokens(c)).toEqual([]);
  });
});

describe('AnthropicInstrumentation', () => {
  it('is named for its client, at the mltel version, for @anthropic-ai/sdk 0.40 to 1.x', () => {
    const instrumentation = new AnthropicInstrumentation({ enabled: false });
    expect(instrumentation.instrumentationName).toBe('@mltel/instrumentation-llm/anthropic');
    expect(instrumentation.instrumentationVersion).toBe(MLTEL_VERSION);
    expect(ANTHROPIC_SUPPORTED_VERSIONS).toEqual(['>=0.40.0 <2']);
    const [definition] = instrumentation.getModuleDefinitions();
    expect(definition?.name).toBe('@anthropic-ai/sdk');
    expect(definition?.supportedVersions).toEqual(ANTHROPIC_SUPPORTED_VERSIONS);
  });

  it('unpatching restores both Messages classes', () => {
    const { meter } = setup();
    const instrumentation = new AnthropicInstrumentation({ enabled: false, meter });
    const [definition] = instrumentation.getModuleDefinitions();
    const Anthropic = anthropicV1.Anthropic as unknown as {
      Messages: { prototype: { create: unknown } };
      Beta: { Messages: { prototype: { create: unknown } } };
    };
    const originals = [Anthropic.Messages.prototype.create, Anthropic.Beta.Messages.prototype.create];
    definition!.patch!(anthropicV1);
    expect(Anthropic.Messages.prototype.create).not.toBe(originals[0]);
    expect(Anthropic.Beta.Messages.prototype.create).not.toBe(originals[1]);
    definition!.unpatch!(anthropicV1);
    expect([Anthropic.Messages.prototype.create, Anthropic.Beta.Messages.prototype.create]).toEqual(originals);
  });

  it('a module without the expected classes is left alone', () => {
    const { meter } = setup();
    const [definition] = new AnthropicInstrumentation({ enabled: false, meter }).getModuleDefinitions();
    for (const exports of [{}, { Anthropic: {} }, { default: { Messages: {} } }]) {
      expect(() => definition!.patch!(exports)).not.toThrow();
      expect(() => definition!.unpatch!(exports)).not.toThrow();
    }
  });
});
