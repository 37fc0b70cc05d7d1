import { RateLimitMeter } from '@mltel/genai';
import { describe, expect, it } from 'vitest';
import { sdkProvider } from '../test/harness.js';
import { rateLimitObserver } from './rate-limit-observer.js';

const CALL = { provider: 'groq', operation: 'chat', model: 'llama-3.3-70b-versatile' };
const HEADERS = new Headers({
  'x-ratelimit-remaining-tokens': '5000',
  'anthropic-ratelimit-tokens-remaining': '7',
});

async function remaining(collect: () => Promise<{ points(name: string): { value: number }[] }>) {
  return (await collect()).points('ml.provider.rate_limit.remaining').map((p) => p.value);
}

describe('rateLimitObserver()', () => {
  it('records to the meter given at each response, reading its own header family only', async () => {
    const sdk = sdkProvider();
    let meter: RateLimitMeter | undefined;
    const observer = rateLimitObserver(() => meter, 'openai');
    observer.headers!(CALL, HEADERS);
    meter = new RateLimitMeter({ meterProvider: sdk.provider });
    observer.headers!(CALL, HEADERS);
    expect(await remaining(sdk.collect)).toEqual([5000]);
  });

  it('the anthropic family reads the anthropic-ratelimit-* headers', async () => {
    const sdk = sdkProvider();
    const meter = new RateLimitMeter({ meterProvider: sdk.provider });
    rateLimitObserver(() => meter, 'anthropic').headers!(CALL, HEADERS);
    expect(await remaining(sdk.collect)).toEqual([7]);
  });
});
