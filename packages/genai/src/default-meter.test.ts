import { diag, metrics } from '@opentelemetry/api';
import { announceProviderChange } from '@mltel/kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configureDefaultProviderMeter, createProviderMeter, defaultProviderMeter, ProviderMeter } from './index.js';
import {
  captureDiag,
  CIRCUIT,
  CIRCUIT_STATE,
  DURATION,
  ERROR_TYPE,
  OPERATION,
  PROVIDER,
  REQUEST_MODEL,
  sdkProvider,
  STATUS,
  TOKEN_TYPE,
  TOKENS,
} from '../test/harness.js';

const DEFAULT = Symbol.for('@mltel/genai/default-provider-meter');
const CHAT = { provider: 'openai', operation: 'chat' } as const;
const CHAT_ATTRS = { [PROVIDER]: 'openai', [OPERATION]: 'chat' };

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  expect(log.errors).toEqual([]);
  metrics.disable();
  diag.disable();
  delete (globalThis as { [DEFAULT]?: unknown })[DEFAULT];
});

describe('the global meter provider', () => {
  it('a meter without meterProvider records to the global provider set after it was created', async () => {
    const meter = createProviderMeter();
    // Before: the API's no-op provider; nothing thrown.
    expect(await meter.track(CHAT, async () => 'early')).toBe('early');

    const global = sdkProvider();
    expect(metrics.setGlobalMeterProvider(global.provider)).toBe(true);
    expect(await meter.track(CHAT, async () => 'late', { usage: () => ({ inputTokens: 3 }) })).toBe('late');
    meter.record({ ...CHAT, durationSeconds: 1, error: 'timeout' });

    const c = await global.collect();
    expect(c.histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([
      [CHAT_ATTRS, 1],
      [{ ...CHAT_ATTRS, [ERROR_TYPE]: 'timeout' }, 1],
    ]);
    expect(c.sums(TOKENS)).toEqual([[{ ...CHAT_ATTRS, [TOKEN_TYPE]: 'input' }, 3]]);
    expect(log.warnings).toEqual([]);
  });

  it('follows a change of global provider', async () => {
    const meter = createProviderMeter();
    const first = sdkProvider();
    metrics.setGlobalMeterProvider(first.provider);
    meter.record({ ...CHAT, model: 'before', durationSeconds: 1 });
    metrics.disable();
    const second = sdkProvider();
    metrics.setGlobalMeterProvider(second.provider);
    meter.record({ ...CHAT, model: 'after', durationSeconds: 1 });
    expect((await first.collect()).histograms(DURATION).map((h) => h.attributes[REQUEST_MODEL])).toEqual(['before']);
    expect((await second.collect()).histograms(DURATION).map((h) => h.attributes[REQUEST_MODEL])).toEqual(['after']);
  });

  it('an explicit meterProvider ignores the global provider', async () => {
    const own = sdkProvider();
    const global = sdkProvider();
    metrics.setGlobalMeterProvider(global.provider);
    const meter = createProviderMeter({ meterProvider: own.provider });
    meter.record({ ...CHAT, durationSeconds: 1 });
    meter.setStatus('openai', true);
    expect((await own.collect()).histograms(DURATION).map((h) => h.count)).toEqual([1]);
    expect((await own.collect()).points(STATUS)).toEqual([{ attributes: { [PROVIDER]: 'openai' }, value: 1 }]);
    expect([...(await global.collect()).byName.keys()]).toEqual([]);
  });

  it('health set before the global provider is reported once the change is announced', async () => {
    const meter = createProviderMeter();
    meter.setStatus('openai', false);
    meter.setCircuitState('openai', 'open');
    const global = sdkProvider();
    metrics.setGlobalMeterProvider(global.provider);
    // What @mltel/node's start() does after setting the global provider.
    announceProviderChange();
    const c = await global.collect();
    expect(c.points(STATUS)).toEqual([{ attributes: { [PROVIDER]: 'openai' }, value: 0 }]);
    expect(c.points(CIRCUIT)).toEqual(
      ['closed', 'half_open', 'open'].map((state) => ({
        attributes: { [PROVIDER]: 'openai', [CIRCUIT_STATE]: state },
        value: state === 'open' ? 1 : 0,
      })),
    );
  });

  it('health set after the global provider is reported without an announcement', async () => {
    const global = sdkProvider();
    metrics.setGlobalMeterProvider(global.provider);
    const meter = createProviderMeter();
    meter.setStatus('anthropic', true);
    expect((await global.collect()).points(STATUS)).toEqual([{ attributes: { [PROVIDER]: 'anthropic' }, value: 1 }]);
  });
});

describe('the default provider meter', () => {
  it('defaultProviderMeter() returns the same instance twice, on the global provider', async () => {
    const a = defaultProviderMeter();
    const b = defaultProviderMeter();
    expect(a).toBe(b);
    expect(a).toBeInstanceOf(ProviderMeter);
    expect((globalThis as { [DEFAULT]?: unknown })[DEFAULT]).toBe(a);
    const global = sdkProvider();
    metrics.setGlobalMeterProvider(global.provider);
    a.record({ ...CHAT, durationSeconds: 1 });
    expect((await global.collect()).histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([
      [CHAT_ATTRS, 1],
    ]);
  });

  it('configureDefaultProviderMeter() replaces it with a meter built from the options', async () => {
    const before = defaultProviderMeter();
    const own = sdkProvider();
    const configured = configureDefaultProviderMeter({ meterProvider: own.provider, models: ['gpt-4o*'] });
    expect(configured).not.toBe(before);
    expect(defaultProviderMeter()).toBe(configured);
    expect(defaultProviderMeter()).toBe(configured);
    configured.record({ ...CHAT, model: 'gpt-4o-mini', durationSeconds: 1 });
    defaultProviderMeter().record({ ...CHAT, model: 'o3', durationSeconds: 1 });
    expect((await own.collect()).histograms(DURATION).map((h) => h.attributes[REQUEST_MODEL])).toEqual([
      '_OTHER',
      'gpt-4o-mini',
    ]);
  });

  it('createProviderMeter() returns a new meter each time', () => {
    expect(createProviderMeter()).not.toBe(createProviderMeter());
    expect(createProviderMeter()).not.toBe(defaultProviderMeter());
  });
});
