import * as google from '@google/genai';
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
  TOKEN_DETAIL,
  TOKEN_TYPE,
} from '../test/harness.js';
import { GoogleGenAIInstrumentation } from './google-genai.js';

const replay = useClientReplay();
const log = useDiagLog();

const client = (scenario: string) =>
  new google.GoogleGenAI({ apiKey: API_KEY, httpOptions: { baseUrl: `${replay().url}/${scenario}` } });
const CONTENTS = 'How many r are in strawberry?';

const gemini = (operation: string, request: string, response?: string, extra: Attributes = {}): Attributes => ({
  [PROVIDER]: 'gcp.gemini',
  [OPERATION]: operation,
  [REQUEST_MODEL]: request,
  ...(response === undefined ? {} : { [RESPONSE_MODEL]: response }),
  ...extra,
});

const counts = countsOf;
const tokens = tokensOf;

describe('@google/genai', () => {
  it('generateContent: duration, tokens (thinking included in output) and the server', async () => {
    const { meter, collect } = setup();
    instrument(GoogleGenAIInstrumentation, google, meter);
    const response = await client('ok').models.generateContent({ model: 'gemini-3-pro-preview', contents: CONTENTS });
    expect(response.usageMetadata?.thoughtsTokenCount).toBe(282);
    expect(response.text).toContain('strawberry');
    const c = await collect();
    const attributes = gemini('chat', 'gemini-3-pro-preview', 'gemini-3-pro-preview');
    expect(c.histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([
      [{ ...attributes, [SERVER_ADDRESS]: '127.0.0.1', [SERVER_PORT]: Number(new URL(replay().url).port) }, 1],
    ]);
    expect(tokens(c)).toEqual([
      [{ ...attributes, [TOKEN_TYPE]: 'input' }, 9],
      [{ ...attributes, [TOKEN_TYPE]: 'output' }, 311],
    ]);
    expect(c.points(TOKEN_DETAIL).map((p) => [p.attributes[TOKEN_TYPE], p.value])).toEqual([['reasoning', 282]]);
    expect(log().warnings).toEqual([]);
  });

  it('the model id is read without its resource prefix', async () => {
    const { meter, collect } = setup();
    instrument(GoogleGenAIInstrumentation, google, meter);
    await client('ok').models.generateContent({ model: 'models/gemini-3-pro-preview', contents: CONTENTS });
    const c = await collect();
    expect(c.histograms(DURATION).map((h) => h.attributes[REQUEST_MODEL])).toEqual(['gemini-3-pro-preview']);
  });

  it('generateContentStream: every chunk reaches the caller, usage from the last, chunk timings', async () => {
    const { meter, collect } = setup();
    instrument(GoogleGenAIInstrumentation, google, meter);
    const stream = await client('ok').models.generateContentStream({
      model: 'gemini-3-pro-preview',
      contents: CONTENTS,
    });
    let chunks = 0;
    for await (const _ of stream) chunks++;
    expect(chunks).toBe(3);
    const c = await collect();
    const attributes = gemini('chat', 'gemini-3-pro-preview', 'gemini-3-pro-preview');
    expect(counts(c, DURATION)).toEqual([[attributes, 1]]);
    expect(tokens(c)).toEqual([
      [{ ...attributes, [TOKEN_TYPE]: 'input' }, 9],
      [{ ...attributes, [TOKEN_TYPE]: 'output' }, 285],
    ]);
    // Chunk timings are recorded before the response model is known.
    expect(counts(c, FIRST_CHUNK)).toEqual([[gemini('chat', 'gemini-3-pro-preview'), 1]]);
    expect(counts(c, PER_CHUNK)).toEqual([[gemini('chat', 'gemini-3-pro-preview'), 2]]);
  });

  it('embedContent: the embeddings operation with its input tokens', async () => {
    const { meter, collect } = setup();
    instrument(GoogleGenAIInstrumentation, google, meter);
    const response = await client('ok').models.embedContent({
      model: 'gemini-embedding-2',
      contents: ['first', 'second'],
    });
    expect(response.embeddings).toHaveLength(2);
    const c = await collect();
    const attributes = gemini('embeddings', 'gemini-embedding-2');
    expect(counts(c, DURATION)).toEqual([[attributes, 1]]);
    expect(tokens(c)).toEqual([[{ ...attributes, [TOKEN_TYPE]: 'input' }, 12]]);
  });

  it.each([
    ['429', '429'],
    ['500', '500'],
  ])('an HTTP %s: the same ApiError reaches the caller, error.type %s', async (scenario, type) => {
    const { meter, collect } = setup();
    const plain = await client(scenario)
      .models.generateContent({ model: 'gemini-2.5-flash', contents: CONTENTS })
      .catch((e: unknown) => e);
    instrument(GoogleGenAIInstrumentation, google, meter);
    const error = await client(scenario)
      .models.generateContent({ model: 'gemini-2.5-flash', contents: CONTENTS })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(google.ApiError);
    expect(error).toEqual(plain);
    const c = await collect();
    expect(counts(c, DURATION)).toEqual([[gemini('chat', 'gemini-2.5-flash', undefined, { [ERROR_TYPE]: type }), 1]]);
    expect(tokens(c)).toEqual([]);
  });

  it('a connection reset fails the call with the network error code', async () => {
    const { meter, collect } = setup();
    instrument(GoogleGenAIInstrumentation, google, meter);
    await expect(
      client('reset').models.generateContent({ model: 'gemini-2.5-flash', contents: CONTENTS }),
    ).rejects.toThrow();
    const c = await collect();
    expect(counts(c, DURATION)).toEqual([
      [gemini('chat', 'gemini-2.5-flash', undefined, { [ERROR_TYPE]: 'UND_ERR_SOCKET' }), 1],
    ]);
  });

  it('a stream cut after its first chunk: the caller sees the error, the call is a failure with what came', async () => {
    const { meter, collect } = setup();
    instrument(GoogleGenAIInstrumentation, google, meter);
    const stream = await client('midstream').models.generateContentStream({
      model: 'gemini-3-pro-preview',
      contents: CONTENTS,
    });
    let chunks = 0;
    const error = await (async () => {
      for await (const _ of stream) chunks++;
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(chunks).toBe(1);
    const c = await collect();
    const attributes = gemini('chat', 'gemini-3-pro-preview', 'gemini-3-pro-preview');
    expect(counts(c, DURATION)).toEqual([[{ ...attributes, [ERROR_TYPE]: 'UND_ERR_SOCKET' }, 1]]);
    // The tokens the first chunk reported were used (and billed) all the same.
    expect(tokens(c)).toEqual([
      [{ ...attributes, [TOKEN_TYPE]: 'input' }, 9],
      [{ ...attributes, [TOKEN_TYPE]: 'output' }, 266],
    ]);
  });

  it('a chat session records each message it sends', async () => {
    const { meter, collect } = setup();
    instrument(GoogleGenAIInstrumentation, google, meter);
    const chat = client('ok').chats.create({ model: 'gemini-3-pro-preview' });
    await chat.sendMessage({ message: 'one' });
    await chat.sendMessage({ message: 'two' });
    const c = await collect();
    expect(counts(c, DURATION)).toEqual([[gemini('chat', 'gemini-3-pro-preview', 'gemini-3-pro-preview'), 2]]);
  });

  it('the results are the same with and without the instrumentation, and nothing of the key or text is recorded', async () => {
    const request = () => client('ok').models.generateContent({ model: 'gemini-3-pro-preview', contents: CONTENTS });
    const plain = JSON.stringify(await request());
    const { meter, collect } = setup();
    instrument(GoogleGenAIInstrumentation, google, meter);
    expect(JSON.stringify(await request())).toBe(plain);
    const recorded = JSON.stringify([...(await collect()).byName.values()]);
    expect(recorded).not.toContain('CANARY');
    expect(recorded).not.toContain('strawberry');
  });
});
