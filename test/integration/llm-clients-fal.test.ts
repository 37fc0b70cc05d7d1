// The real @fal-ai/client, in an app preloaded with @mltel/node/register (ESM and CJS), against a
// server replaying fal's documented queue and result responses through the client's proxy
// setting: exact GenAI metrics, one call per subscribe, run and submit-to-result.
import { describe, expect, it } from 'vitest';
import {
  clientVersion,
  DURATION,
  ENTRIES,
  expectNoCanaries,
  expectSameWithout,
  genAiLabels,
  runClientApp,
  sampleOf,
  useReplay,
} from './llm-client-app.js';
import { startFalReplayServer } from './llm-replay-fal.js';

const PACKAGES = ['@fal-ai/client'];
const VERSION = clientVersion(PACKAGES[0]!);
const IMAGES = 'ml_gen_ai_images_total';

const replay = useReplay(startFalReplayServer);

const fal = genAiLabels('fal_ai');

describe.each(ENTRIES)(`@fal-ai/client ${VERSION}: $app under $flag`, (entry) => {
  it('records every call with exact values, the app seeing what it sees without mltel', {
    timeout: 60_000,
  }, async () => {
    const run = (env = {}) => runClientApp('llm-app-fal', PACKAGES, entry, replay().url, env);
    const instrumented = await run();
    const { seen, samples } = instrumented;
    const s = (name: string, labels: Record<string, string>) => sampleOf(samples, name, labels);

    expect(seen).toEqual({
      subscribeImages: 1,
      status: 'IN_QUEUE',
      resultImages: 1,
      runImages: 1,
      serverError: { name: 'ApiError', status: 500 },
      failed: { name: 'ApiError', status: 500 },
      tooMany: { name: 'ApiError', status: 429 },
    });
    const dev = fal('image_generation', 'fal-ai/flux/dev');
    // subscribe, and submit with its result: two calls; the status polls are none.
    expect(s(DURATION, dev)).toBe(2);
    expect(s(IMAGES, dev)).toBe(2);
    expect(s(DURATION, fal('image_generation', 'fal-ai/flux/schnell'))).toBe(1);
    // A 500 on submit, and a request the queue completed with an error: the result's status.
    expect(s(DURATION, fal('generate_content', 'fal-ai/flux/dev', undefined, { error_type: '500' }))).toBe(2);
    // The client retries a 429 three times: still one call.
    expect(s(DURATION, fal('generate_content', 'fal-ai/flux/dev', undefined, { error_type: '429' }))).toBe(1);
    const calls = samples.filter((x) => x.name === DURATION && x.labels.gen_ai_provider_name === 'fal_ai');
    expect(calls.reduce((sum, x) => sum + x.value, 0)).toBe(6);
    for (const call of calls)
      expect([call.labels.server_address, call.labels.server_port]).toEqual(['127.0.0.1', new URL(replay().url).port]);
    await expectSameWithout(run, instrumented, 'fal');
  });
});

describe('@fal-ai/client scrape', () => {
  it('holds no prompt, no URL and no key', { timeout: 60_000 }, async () => {
    const { text } = await runClientApp('llm-app-fal', PACKAGES, ENTRIES[0]!, replay().url);
    expectNoCanaries(text, ['CANARY', 'tiger', 'fal-key', 'queue.fal.run', 'https://', '80e732af']);
  });
});
