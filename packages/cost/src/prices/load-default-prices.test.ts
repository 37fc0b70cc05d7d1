import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_PRICES } from './default-prices.js';
import { DEFAULT_PRICES_MODULE, loadDefaultPrices, readDefaultPrices } from './load-default-prices.js';

const PACKAGE = fileURLToPath(new URL('../../', import.meta.url));

// Run in a child process against the built package (dist/, as published): which of its files
// load when, with `BREAK=1` the built-in prices made impossible to resolve (a damaged install).
const CHILD = `
import { registerHooks } from 'node:module';
const loaded = [];
registerHooks({
  resolve(specifier, context, next) {
    if (process.env.BREAK === '1' && specifier === '${DEFAULT_PRICES_MODULE}') throw new Error('simulated: not installed');
    return next(specifier, context);
  },
  load(url, context, next) {
    loaded.push(url);
    return next(url, context);
  },
});
const { diag, DiagLogLevel } = await import('@opentelemetry/api');
const warnings = [];
const ignore = () => {};
diag.setLogger({ error: ignore, warn: (m) => warnings.push(m), info: ignore, debug: ignore, verbose: ignore }, DiagLogLevel.WARN);
const { CostMeter } = await import('@mltel/cost');
const meter = new CostMeter();
meter.attach();
const prices = () => loaded.filter((url) => url.includes('default-prices')).map((url) => url.slice(url.indexOf('/dist/')));
const atStart = prices();
let threw = false;
try {
  meter.record({ provider: 'openai', model: 'gpt-4o', usage: { inputTokens: 1000, outputTokens: 100 } });
} catch {
  threw = true;
}
const priced = meter.price('openai', 'gpt-4o', { inputTokens: 1000, outputTokens: 100 });
console.log(JSON.stringify({ atStart, afterFirstCall: prices(), usd: priced?.usd, threw, warnings }));
process.exit(0);
`;

function child(env: Record<string, string> = {}): {
  atStart: string[];
  afterFirstCall: string[];
  usd: number | undefined;
  threw: boolean;
  warnings: string[];
} {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', CHILD], {
    cwd: PACKAGE,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the built-in prices, loaded at the first lookup', () => {
  it('are not loaded by importing @mltel/cost and starting a cost meter; the first priced call loads them', () => {
    const { atStart, afterFirstCall, usd, threw, warnings } = child();
    expect(atStart).toEqual([]);
    expect(afterFirstCall).toEqual(['/dist/prices/default-prices.js']);
    // gpt-4o: $2.50 per million input tokens, $10 per million output tokens.
    expect(usd).toBe(0.0035);
    expect(threw).toBe(false);
    expect(warnings).toEqual([]);
  });

  it('that cannot be loaded: one warning, calls unpriced, nothing thrown into the recording call', () => {
    const { afterFirstCall, usd, threw, warnings } = child({ BREAK: '1' });
    expect(afterFirstCall).toEqual([]);
    expect(usd).toBeUndefined();
    expect(threw).toBe(false);
    expect(warnings.filter((w) => w.includes(DEFAULT_PRICES_MODULE))).toHaveLength(1);
    expect(warnings.join('\n')).toMatch(/simulated: not installed/);
  });

  it('are the package subpath @mltel/cost/default-prices, loaded once per process', () => {
    const prices = loadDefaultPrices();
    expect(prices).toEqual(DEFAULT_PRICES);
    expect(loadDefaultPrices()).toBe(prices);
  });

  it('a loader that throws or gives no array: one warning and no entries, never a throw', () => {
    const warn = vi.spyOn(diag, 'warn').mockImplementation(() => {});
    expect(
      readDefaultPrices(() => {
        throw new Error('ENOENT');
      }),
    ).toEqual([]);
    expect(readDefaultPrices(() => ({}))).toEqual([]);
    expect(readDefaultPrices(() => undefined)).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(3);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(
      /built-in prices .* cannot be loaded \(ENOENT\).*ml\.cost\.unpriced/,
    );
    const entries = [{ provider: 'p', model: 'm', input: '0.1' }];
    expect(
      readDefaultPrices((specifier) => (specifier === DEFAULT_PRICES_MODULE ? { DEFAULT_PRICES: entries } : {})),
    ).toBe(entries);
  });
});
