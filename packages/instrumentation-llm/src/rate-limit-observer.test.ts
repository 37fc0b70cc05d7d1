import { configureDefaultRateLimitMeter, RateLimitMeter } from '@mltel/genai';
import { describe, expect, it } from 'vitest';
import { sdkProvider } from '../test/harness.js';
import { rateLimitObserver } from './rate-limit-observer.js';
import type { LlmInstrumentationConfig } from './types.js';

const CALL = { provider: 'groq', operation: 'chat', model: 'llama-3.3-70b-versatile' };
const HEADERS = new Headers({ 'x-ratelimit-remaining-tokens': '5000' });

async function remaining(collect: () => Promise<{ points(name: string): { value: number }[] }>) {
  return (await collect()).points('ml.provider.rate_limit.remaining').map((p) => p.value);
}

describe('rateLimitObserver()', () => {
  it('records to the configured meter, read at each response', async () => {
    const sdk = sdkProvider();
    const config: LlmInstrumentationConfig = {};
    const observer = rateLimitObserver(() => config, 'openai');
    config.rateLimits = new RateLimitMeter({ meterProvider: sdk.provider });
    observer.headers!(CALL, HEADERS);
    expect(await remaining(sdk.collect)).toEqual([5000]);
  });

  it('records to the shared default meter when none is configured, and to none with false', async () => {
    const sdk = sdkProvider();
    configureDefaultRateLimitMeter({ meterProvider: sdk.provider });
    rateLimitObserver(() => ({ rateLimits: false }), 'openai').headers!(CALL, HEADERS);
    expect(await remaining(sdk.collect)).toEqual([]);
    rateLimitObserver(() => ({}), 'openai').headers!(CALL, HEADERS);
    expect(await remaining(sdk.collect)).toEqual([5000]);
    configureDefaultRateLimitMeter({});
  });
});
