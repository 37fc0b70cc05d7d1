import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createProviderMeter, defaultProviderMeter } from '@mltel/genai';
import { Anthropic } from '@anthropic-ai/sdk';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import * as openai from 'openai';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { API_KEY, DURATION, PROVIDER, sdkProvider, startReplayServer } from '../test/harness.js';
import type { ReplayServer } from '../test/harness.js';
import { AnthropicInstrumentation } from './anthropic.js';
import { LlmInstrumentation } from './llm-instrumentation.js';
import type { PatchTarget } from './llm-instrumentation.js';
import { OpenAIInstrumentation } from './openai.js';

let replay: ReplayServer;
beforeAll(async () => {
  replay = await startReplayServer();
});
afterAll(async () => {
  await replay.close();
});

/** Patches `exports` by hand (no require hook), unpatched when the test ends. */
function patch(instrumentation: LlmInstrumentation, exports: unknown): void {
  const [definition] = instrumentation.getModuleDefinitions();
  definition!.patch!(exports);
  onTestFinished(() => {
    definition!.unpatch!(exports);
  });
}

const chat = () =>
  new openai.OpenAI({ apiKey: API_KEY, baseURL: `${replay.url}/ok/v1`, maxRetries: 0 }).chat.completions.create({
    model: 'gpt-5-nano',
    messages: [{ role: 'user', content: 'hi' }],
  });

describe('the meter an LLM instrumentation records through', () => {
  it('setMeterProvider(): the calls are recorded on that provider, not the global one', async () => {
    const sdk = sdkProvider();
    const instrumentation = new OpenAIInstrumentation({ enabled: false });
    instrumentation.setMeterProvider(sdk.provider);
    patch(instrumentation, openai);
    await chat();
    const c = await sdk.collect();
    expect(c.histograms(DURATION).map((h) => [h.attributes[PROVIDER], h.count])).toEqual([['openai', 1]]);
  });

  it('registerInstrumentations({ meterProvider }) is honoured (Anthropic too)', async () => {
    const sdk = sdkProvider();
    const instrumentation = new AnthropicInstrumentation({ enabled: false });
    const unregister = registerInstrumentations({ instrumentations: [instrumentation], meterProvider: sdk.provider });
    onTestFinished(unregister);
    instrumentation.disable();
    patch(instrumentation, { Anthropic });
    await new Anthropic({ apiKey: API_KEY, baseURL: `${replay.url}/ok`, maxRetries: 0 }).messages.create({
      model: 'claude-3-5-sonnet-20240620',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const c = await sdk.collect();
    expect(c.histograms(DURATION).map((h) => [h.attributes[PROVIDER], h.count])).toEqual([['anthropic', 1]]);
  });

  it('a meter in the configuration wins over a meter provider set later', async () => {
    const configured = sdkProvider();
    const other = sdkProvider();
    const instrumentation = new OpenAIInstrumentation({
      enabled: false,
      meter: createProviderMeter({ meterProvider: configured.provider }),
    });
    instrumentation.setMeterProvider(other.provider);
    patch(instrumentation, openai);
    await chat();
    expect((await configured.collect()).histograms(DURATION)).toHaveLength(1);
    expect((await other.collect()).histograms(DURATION)).toEqual([]);
  });

  it('without either, the shared default provider meter', async () => {
    const calls: string[] = [];
    const remove = defaultProviderMeter().addHooks({ afterCall: (event) => void calls.push(event.provider) });
    onTestFinished(remove);
    patch(new OpenAIInstrumentation({ enabled: false }), openai);
    await chat();
    expect(calls).toEqual(['openai']);
  });
});

class Probe extends LlmInstrumentation {
  constructor() {
    super('probe', '0.0.0', { enabled: false });
  }
  protected init() {
    return this.hookModule('probe', ['*'], (exports) => {
      const e = exports as { api?: Record<string, unknown> };
      const targets: PatchTarget[] = [
        {
          holder: e.api,
          method: 'call',
          wrap:
            (original) =>
            (...args) => ['wrapped', original(...args)],
        },
        { holder: e.api, method: 'absent', wrap: (original) => original },
        { holder: undefined, method: 'call', wrap: (original) => original },
      ];
      return targets;
    });
  }
}

describe('hookModule()', () => {
  it('wraps the named methods, skips missing ones, and unwraps them', () => {
    const exports = { api: { call: (x: number) => x + 1 } as Record<string, unknown> };
    const [definition] = new Probe().getModuleDefinitions();
    definition!.patch!(exports);
    expect((exports.api['call'] as (x: number) => unknown)(1)).toEqual(['wrapped', 2]);
    expect(exports.api['absent']).toBeUndefined();
    definition!.unpatch!(exports);
    expect((exports.api['call'] as (x: number) => unknown)(1)).toBe(2);
  });
});

describe('the client package version', () => {
  it('is read once per package, not once per file the require hook hands over', () => {
    // Upstream reads and parses package.json for every file of a hooked package (openai: hundreds).
    const proto = Object.getPrototypeOf(LlmInstrumentation.prototype) as {
      _extractPackageVersion(baseDir: string): string | undefined;
    };
    const read = vi.spyOn(proto, '_extractPackageVersion');
    onTestFinished(() => read.mockRestore());
    const instrumentation = new OpenAIInstrumentation({ enabled: false }) as unknown as typeof proto;
    // A package directory: this package's own.
    const packageDir = fileURLToPath(new URL('..', import.meta.url));
    const version = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
    for (let i = 0; i < 20; i++) expect(instrumentation._extractPackageVersion(packageDir)).toBe(version);
    expect(read).toHaveBeenCalledTimes(1);
  });
});
