import { diag } from '@opentelemetry/api';
import { WarnOnce } from '@mltel/kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AUDIO,
  captureDiag,
  DURATION,
  IMAGES,
  OPERATION,
  PROVIDER,
  REQUEST_MODEL,
  RESPONSE_MODEL,
  sdkProvider,
  SERVER_ADDRESS,
  SERVER_PORT,
  setup,
  TOKEN_DETAIL,
  TOKEN_TYPE,
  TOKENS,
  VIDEO,
} from '../test/harness.js';
import { createGenAiInstruments } from './instruments.js';
import { ProviderHealthState } from './health.js';
import type { ProviderUsage } from './types.js';
import { recordUsage } from './usage-recorder.js';

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  expect(log.errors).toEqual([]);
  diag.disable();
});

const CHAT = { provider: 'openai', operation: 'chat', model: 'gpt-4o' } as const;
const CHAT_ATTRS = { [PROVIDER]: 'openai', [OPERATION]: 'chat', [REQUEST_MODEL]: 'gpt-4o' };

describe('token detail and units', () => {
  it('records cache reads, cache writes and reasoning in ml.gen_ai.token.detail, never in token.usage', async () => {
    const { meter, collect } = setup();
    const usage = {
      responseModel: 'gpt-4o',
      inputTokens: 1200,
      outputTokens: 500,
      cacheReadInputTokens: 1000,
      cacheCreationInputTokens: 150,
      reasoningTokens: 320,
    };
    meter.record({ ...CHAT, durationSeconds: 1, usage });
    meter.record({ ...CHAT, durationSeconds: 1, usage });
    const attributes = { ...CHAT_ATTRS, [RESPONSE_MODEL]: 'gpt-4o' };
    const c = await collect();
    expect(c.points(TOKEN_DETAIL)).toEqual([
      { attributes: { ...attributes, [TOKEN_TYPE]: 'cache_creation' }, value: 300 },
      { attributes: { ...attributes, [TOKEN_TYPE]: 'cache_read' }, value: 2000 },
      { attributes: { ...attributes, [TOKEN_TYPE]: 'reasoning' }, value: 640 },
    ]);
    // The totals carry only input and output: summing over token types counts each token once.
    expect(c.histograms(TOKENS).map((h) => [h.attributes[TOKEN_TYPE], h.count, h.sum])).toEqual([
      ['input', 2, 2400],
      ['output', 2, 1000],
    ]);
    expect(c.points(IMAGES)).toEqual([]);
  });

  it('does not add zero detail counts', async () => {
    const { meter, collect } = setup();
    meter.record({
      ...CHAT,
      durationSeconds: 1,
      usage: { cacheReadInputTokens: 0, reasoningTokens: 0, cacheCreationInputTokens: 3 },
    });
    expect((await collect()).points(TOKEN_DETAIL)).toEqual([
      { attributes: { ...CHAT_ATTRS, [TOKEN_TYPE]: 'cache_creation' }, value: 3 },
    ]);
  });

  it('records images, audio and video seconds with provider, model and operation only', async () => {
    const { meter, collect } = setup();
    const server = { serverAddress: 'api.openai.com', serverPort: 443 };
    meter.record({
      provider: 'openai',
      operation: 'image_generation',
      model: 'dall-e-3',
      ...server,
      durationSeconds: 8,
      usage: { responseModel: 'dall-e-3-hd', images: 2 },
    });
    meter.record({
      provider: 'openai',
      operation: 'image_generation',
      model: 'dall-e-3',
      ...server,
      durationSeconds: 8,
      usage: { images: 1 },
    });
    meter.record({
      provider: 'openai',
      operation: 'transcription',
      model: 'whisper-1',
      ...server,
      durationSeconds: 3,
      usage: { audioSeconds: 61.5 },
    });
    meter.record({
      provider: 'fal_ai',
      operation: 'video_generation',
      durationSeconds: 40,
      usage: { videoSeconds: 5 },
    });
    const c = await collect();
    expect(c.points(IMAGES)).toEqual([
      { attributes: { [PROVIDER]: 'openai', [OPERATION]: 'image_generation', [REQUEST_MODEL]: 'dall-e-3' }, value: 3 },
    ]);
    expect(c.points(AUDIO)).toEqual([
      { attributes: { [PROVIDER]: 'openai', [OPERATION]: 'transcription', [REQUEST_MODEL]: 'whisper-1' }, value: 61.5 },
    ]);
    expect(c.points(VIDEO)).toEqual([
      { attributes: { [PROVIDER]: 'fal_ai', [OPERATION]: 'video_generation' }, value: 5 },
    ]);
    expect(c.histograms(TOKENS)).toEqual([]);
    // The duration keeps the response model and server attributes.
    expect(c.histograms(DURATION).map((h) => h.attributes)).toContainEqual({
      [PROVIDER]: 'openai',
      [OPERATION]: 'image_generation',
      [REQUEST_MODEL]: 'dall-e-3',
      [RESPONSE_MODEL]: 'dall-e-3-hd',
      [SERVER_ADDRESS]: 'api.openai.com',
      [SERVER_PORT]: 443,
    });
  });

  it('records characters (speech input) in ml.gen_ai.characters, with the unit attributes', async () => {
    const { meter, collect } = setup();
    meter.record({
      provider: 'openai',
      operation: 'speech',
      model: 'tts-1',
      durationSeconds: 1,
      usage: { characters: 900 },
    });
    const c = await collect();
    expect([...c.byName.keys()].sort()).toEqual([DURATION, 'ml.gen_ai.characters'].sort());
    expect(c.points('ml.gen_ai.characters')).toEqual([
      { attributes: { [PROVIDER]: 'openai', [OPERATION]: 'speech', [REQUEST_MODEL]: 'tts-1' }, value: 900 },
    ]);
  });
});

describe('recordUsage()', () => {
  /** recordUsage on the instruments of a real provider, without a provider meter around it. */
  function direct() {
    const sdk = sdkProvider();
    const meter = sdk.provider.getMeter('test');
    const noCallbacks = { observe() {}, observeBatch() {}, onRelease() {} };
    const instruments = createGenAiInstruments(meter, noCallbacks, new ProviderHealthState(false));
    const warnings = new WarnOnce();
    const base = { ...CHAT_ATTRS, [SERVER_ADDRESS]: 'api.openai.com', [SERVER_PORT]: 443 };
    const attributes = { ...base, [RESPONSE_MODEL]: 'gpt-4o-2024-08-06' };
    const record = (usage: ProviderUsage) => recordUsage(instruments, base, attributes, usage, warnings);
    return { ...sdk, record, attributes };
  }

  it('tokens and detail carry the call attributes; units the provider, operation and request model only', async () => {
    const { record, collect, attributes } = direct();
    record({
      inputTokens: 10,
      outputTokens: 4,
      cacheReadInputTokens: 6,
      cacheCreationInputTokens: 2,
      reasoningTokens: 1,
      images: 1,
      audioSeconds: 2.5,
      videoSeconds: 8,
      characters: 900,
    });
    const c = await collect();
    expect(c.sums(TOKENS)).toEqual([
      [{ ...attributes, [TOKEN_TYPE]: 'input' }, 10],
      [{ ...attributes, [TOKEN_TYPE]: 'output' }, 4],
    ]);
    expect(c.points(TOKEN_DETAIL)).toEqual([
      { attributes: { ...attributes, [TOKEN_TYPE]: 'cache_creation' }, value: 2 },
      { attributes: { ...attributes, [TOKEN_TYPE]: 'cache_read' }, value: 6 },
      { attributes: { ...attributes, [TOKEN_TYPE]: 'reasoning' }, value: 1 },
    ]);
    expect(c.points(IMAGES)).toEqual([{ attributes: CHAT_ATTRS, value: 1 }]);
    expect(c.points(AUDIO)).toEqual([{ attributes: CHAT_ATTRS, value: 2.5 }]);
    expect(c.points(VIDEO)).toEqual([{ attributes: CHAT_ATTRS, value: 8 }]);
    expect(log.warnings).toEqual([]);
  });

  it('a prepared (frozen) base gives its unit counters one kept, frozen set: the cells sum by identity', () => {
    const sets: unknown[] = [];
    const counter = { add: (_value: number, attributes: unknown) => void sets.push(attributes) };
    const histogram = { record: () => {} };
    const instruments = {
      tokens: histogram,
      tokenDetail: counter,
      images: counter,
      audio: counter,
      video: counter,
      characters: counter,
    } as unknown as Parameters<typeof recordUsage>[0];
    const base = Object.freeze({ ...CHAT_ATTRS, [SERVER_ADDRESS]: 'api.openai.com' });
    const open = { ...CHAT_ATTRS, [SERVER_ADDRESS]: 'api.openai.com' };
    const warnings = new WarnOnce();
    recordUsage(instruments, base, base, { images: 1, audioSeconds: 1 }, warnings);
    recordUsage(instruments, base, base, { images: 1 }, warnings);
    recordUsage(instruments, open, open, { images: 1 }, warnings);
    expect(sets).toHaveLength(4);
    expect(sets[0]).toEqual(CHAT_ATTRS);
    expect(Object.isFrozen(sets[0])).toBe(true);
    expect(sets[1]).toBe(sets[0]);
    expect(sets[2]).toBe(sets[0]);
    // A base that may change after the call gets a set of its own, not kept.
    expect(sets[3]).toEqual(CHAT_ATTRS);
    expect(Object.isFrozen(sets[3])).toBe(false);
  });

  it('drops a bad field with one warning per field, keeping the others; a non-object usage entirely', async () => {
    const { record, collect, attributes } = direct();
    record({ inputTokens: -1, outputTokens: 3 });
    record({ inputTokens: Number.NaN, outputTokens: 3 });
    record(7 as unknown as ProviderUsage);
    const c = await collect();
    expect(c.sums(TOKENS)).toEqual([[{ ...attributes, [TOKEN_TYPE]: 'output' }, 6]]);
    expect(log.warnings).toEqual([
      'mltel: usage.inputTokens must be a number from 0 to 1000000000000, got number -1; it is dropped',
      'mltel: usage must be an object, got number 7; it is dropped',
    ]);
  });
});
