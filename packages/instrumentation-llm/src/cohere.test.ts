import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Attributes } from '@opentelemetry/api';
import * as cohere from 'cohere-ai';
import { describe, expect, it, onTestFinished } from 'vitest';
import { countsOf, tokensOf, useClientReplay, useDiagLog } from '../test/clients.js';
import {
  API_KEY,
  DURATION,
  ERROR_TYPE,
  FIRST_CHUNK,
  OPERATION,
  PER_CHUNK,
  PROVIDER,
  REQUEST_MODEL,
  SERVER_ADDRESS,
  SERVER_PORT,
  setup,
  TOKEN_TYPE,
} from '../test/harness.js';
import type { ProviderMeter } from '@mltel/genai';
import { CohereInstrumentation } from './cohere.js';

const replay = useClientReplay();
const log = useDiagLog();

// The client's internal files, which its require hook patches (the package's exports map hides them).
const require = createRequire(import.meta.url);
const root = dirname(require.resolve('cohere-ai'));
const internal = (path: string): unknown => require(join(root, path.replace(/^cohere-ai\//, '')));

/** Patches the internal files as the require hook would, unpatched when the test ends. */
function instrumentCohere(meter: ProviderMeter): void {
  const [definition] = new CohereInstrumentation({ enabled: false, meter }).getModuleDefinitions();
  for (const file of definition!.files) {
    const exports = internal(file.name);
    file.patch(exports);
    onTestFinished(() => file.unpatch(exports));
  }
}

const client = (scenario: string) =>
  new cohere.CohereClientV2({ token: API_KEY, environment: `${replay().url}/${scenario}`, maxRetries: 0 } as never);
const MESSAGES = [{ role: 'user' as const, content: 'Tell me a joke, pirate style' }];
const attrs = (operation: string, model: string, extra: Attributes = {}): Attributes => ({
  [PROVIDER]: 'cohere',
  [OPERATION]: operation,
  [REQUEST_MODEL]: model,
  ...extra,
});

describe('cohere-ai', () => {
  it('v2 chat: duration and billed tokens, with the server; the HttpResponsePromise is the client own', async () => {
    const { meter, collect } = setup();
    instrumentCohere(meter);
    const promise = client('ok').chat({ model: 'command', messages: MESSAGES });
    expect(typeof (promise as { withRawResponse?: unknown }).withRawResponse).toBe('function');
    const response = await promise;
    expect(response.usage?.billedUnits?.outputTokens).toBe(88);
    const c = await collect();
    expect(c.histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([
      [
        {
          ...attrs('chat', 'command'),
          [SERVER_ADDRESS]: '127.0.0.1',
          [SERVER_PORT]: Number(new URL(replay().url).port),
        },
        1,
      ],
    ]);
    expect(tokensOf(c)).toEqual([
      [{ ...attrs('chat', 'command'), [TOKEN_TYPE]: 'input' }, 7],
      [{ ...attrs('chat', 'command'), [TOKEN_TYPE]: 'output' }, 88],
    ]);
    expect(log().warnings).toEqual([]);
  });

  it('v2 chatStream: every event reaches the caller, usage from message-end, chunk timings', async () => {
    const { meter, collect } = setup();
    instrumentCohere(meter);
    let events = 0;
    for await (const _ of await client('ok').chatStream({ model: 'command', messages: MESSAGES })) events++;
    expect(events).toBe(104);
    const c = await collect();
    expect(countsOf(c, DURATION)).toEqual([[attrs('chat', 'command'), 1]]);
    expect(tokensOf(c)).toEqual([
      [{ ...attrs('chat', 'command'), [TOKEN_TYPE]: 'input' }, 7],
      [{ ...attrs('chat', 'command'), [TOKEN_TYPE]: 'output' }, 109],
    ]);
    expect(countsOf(c, FIRST_CHUNK)).toEqual([[attrs('chat', 'command'), 1]]);
    // 100 content-delta events: 99 gaps.
    expect(countsOf(c, PER_CHUNK)).toEqual([[attrs('chat', 'command'), 99]]);
  });

  it('v2 embed: billed input tokens', async () => {
    const { meter, collect } = setup();
    instrumentCohere(meter);
    const response = await client('ok').embed({
      model: 'embed-english-v3.0',
      texts: ['a', 'b'],
      inputType: 'search_document',
      embeddingTypes: ['float'],
    });
    expect(response.embeddings.float).toHaveLength(6);
    const c = await collect();
    expect(tokensOf(c)).toEqual([[{ ...attrs('embeddings', 'embed-english-v3.0'), [TOKEN_TYPE]: 'input' }, 208]]);
  });

  it.each([
    ['429', 'TooManyRequestsError'],
    ['500', 'InternalServerError'],
  ])('an HTTP %s: the same %s reaches the caller, error.type is the status', async (scenario, name) => {
    const { meter, collect } = setup();
    const request = () =>
      client(scenario)
        .chat({ model: 'command-r', messages: MESSAGES })
        .then(
          () => new Error('unexpected success'),
          (e: unknown) => e as Error,
        );
    const plain = await request();
    instrumentCohere(meter);
    const error = await request();
    expect(error.constructor.name).toBe(name);
    expect(error.constructor).toBe(plain.constructor);
    const c = await collect();
    expect(countsOf(c, DURATION)).toEqual([[attrs('chat', 'command-r', { [ERROR_TYPE]: scenario }), 1]]);
  });
});

describe('cohere-ai streams', () => {
  it('a chatStream cut after its first event: the caller sees the error, the call fails', async () => {
    const { meter, collect } = setup();
    instrumentCohere(meter);
    const stream = await client('midstream').chatStream({ model: 'command', messages: MESSAGES });
    const error = await (async () => {
      for await (const _ of stream);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const [[attributes, count]] = countsOf(await collect(), DURATION) as [[Attributes, number]];
    expect(count).toBe(1);
    expect(attributes[ERROR_TYPE]).toBe('UND_ERR_SOCKET');
  });
});
