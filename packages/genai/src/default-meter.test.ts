import { diag, metrics } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configureDefaultProviderMeter, createProviderMeter, defaultProviderMeter, ProviderMeter } from './index.js';
import { captureDiag, DURATION, OPERATION, PROVIDER, REQUEST_MODEL, sdkProvider } from '../test/harness.js';

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
