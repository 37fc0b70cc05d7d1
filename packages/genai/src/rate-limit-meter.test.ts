import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { diag } from '@opentelemetry/api';
import { captureDiag, sdkProvider } from '../test/harness.js';
import {
  configureDefaultRateLimitMeter,
  defaultRateLimitMeter,
  MAX_RATE_LIMIT_SERIES,
  RateLimitMeter,
} from './rate-limit-meter.js';

const REMAINING = 'ml.provider.rate_limit.remaining';
const LIMIT = 'ml.provider.rate_limit.limit';
const RESET = 'ml.provider.rate_limit.reset_time';
const NOW = Date.UTC(2026, 2, 3, 3, 3, 0);
const labels = (provider: string, model: string | undefined, kind: string) => ({
  'gen_ai.provider.name': provider,
  ...(model === undefined ? {} : { 'gen_ai.request.model': model }),
  'ml.rate_limit.kind': kind,
});

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  diag.disable();
});

function setup(options = {}) {
  const sdk = sdkProvider();
  return { ...sdk, meter: new RateLimitMeter({ ...options, meterProvider: sdk.provider }) };
}

describe('RateLimitMeter', () => {
  it('shows the last response per provider, model and kind, as gauges', async () => {
    const { meter, collect } = setup();
    const openai = (remaining: string) =>
      new Headers({
        'x-ratelimit-limit-requests': '10000',
        'x-ratelimit-remaining-requests': remaining,
        'x-ratelimit-reset-requests': '6ms',
      });
    expect(meter.recordHeaders('openai', 'gpt-4o-mini', openai('9999'), { nowMs: NOW })).toBe(1);
    meter.recordHeaders('openai', 'gpt-4o-mini', openai('9998'), { nowMs: NOW + 1000, family: 'openai' });
    meter.recordHeaders('groq', 'llama-3.3-70b-versatile', openai('14'), { nowMs: NOW });
    const c = await collect();
    expect(c.points(REMAINING).map((p) => [p.attributes, p.value])).toEqual([
      [labels('groq', 'llama-3.3-70b-versatile', 'requests'), 14],
      [labels('openai', 'gpt-4o-mini', 'requests'), 9998],
    ]);
    expect(c.points(LIMIT).map((p) => p.value)).toEqual([10000, 10000]);
    expect(c.points(RESET).map((p) => p.value)).toEqual([(NOW + 6) / 1000, (NOW + 1006) / 1000]);
  });

  it('headers without rate limits record nothing and create no series', async () => {
    const { meter, collect } = setup();
    expect(meter.recordHeaders('openai', 'gpt-4o', new Headers({ 'content-type': 'x' }))).toBe(0);
    expect([...(await collect()).byName.keys()]).toEqual([]);
  });

  it('keeps model names bounded: past the allow-list (or maxModels) they are _OTHER', async () => {
    const { meter, collect } = setup({ models: ['gpt-4o*'] });
    const headers = new Headers({ 'x-ratelimit-remaining-tokens': '5' });
    meter.recordHeaders('openai', 'gpt-4o-2024-08-06', headers);
    meter.recordHeaders('openai', 'o3', headers);
    meter.recordHeaders('openai', undefined, headers);
    const c = await collect();
    expect(c.points(REMAINING).map((p) => p.attributes)).toEqual([
      labels('openai', undefined, 'tokens'),
      labels('openai', '_OTHER', 'tokens'),
      labels('openai', 'gpt-4o-2024-08-06', 'tokens'),
    ]);
  });

  it(`keeps at most ${MAX_RATE_LIMIT_SERIES} series, then drops new ones with one warning`, async () => {
    const { meter, collect } = setup({ maxModels: 1000 });
    for (let i = 0; i <= MAX_RATE_LIMIT_SERIES; i++) {
      meter.record('openai', `model-${i}`, [{ kind: 'requests', remaining: i }]);
    }
    // An existing series still moves.
    meter.record('openai', 'model-0', [{ kind: 'requests', remaining: 7 }]);
    const points = (await collect()).points(REMAINING);
    expect(points).toHaveLength(MAX_RATE_LIMIT_SERIES);
    expect(points.find((p) => p.attributes['gen_ai.request.model'] === 'model-0')?.value).toBe(7);
    expect(log.warnings.filter((w) => w.includes('rate-limit series'))).toHaveLength(1);
  });

  it('a bad provider name is dropped with a warning, never thrown', async () => {
    const { meter, collect } = setup();
    expect(() => meter.record(42 as unknown as string, 'm', [{ kind: 'requests', remaining: 1 }])).not.toThrow();
    expect([...(await collect()).byName.keys()]).toEqual([]);
    expect(log.warnings.length).toBe(1);
  });

  it('one default per process, replaced by configureDefaultRateLimitMeter()', () => {
    const first = defaultRateLimitMeter();
    expect(defaultRateLimitMeter()).toBe(first);
    const configured = configureDefaultRateLimitMeter({ maxModels: 5 });
    expect(defaultRateLimitMeter()).toBe(configured);
    expect(configured).not.toBe(first);
  });
});
