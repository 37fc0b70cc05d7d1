// What importing @mltel/cost and starting a cost meter loads, and what waits for the first priced
// call (issue 19, start-up): the built-in prices (@mltel/cost/default-prices) and big.js. Run in a
// child process against the built package (dist/, as published), which records every module it
// loads; with `BREAK=1` the built-in prices cannot be resolved (a damaged install).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PRICES_MODULE } from './prices/load-default-prices.js';

const PACKAGE = fileURLToPath(new URL('../', import.meta.url));

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
const lazy = () => loaded.filter((url) => /default-prices|big\\.js/.test(url)).map((url) => url.slice(url.lastIndexOf('/') + 1));
const { CostMeter } = await import('@mltel/cost');
const meter = new CostMeter();
meter.attach();
const atStart = lazy();
let threw = false;
try {
  meter.record({ provider: 'openai', model: 'gpt-4o', usage: { inputTokens: 1000, outputTokens: 100 } });
} catch {
  threw = true;
}
const priced = meter.price('openai', 'gpt-4o', { inputTokens: 1000, outputTokens: 100 });
console.log(JSON.stringify({ atStart, afterFirstCall: lazy(), usd: priced?.usd, threw, warnings }));
process.exit(0);
`;

interface Loads {
  atStart: string[];
  afterFirstCall: string[];
  usd: number | undefined;
  threw: boolean;
  warnings: string[];
}

function child(env: Record<string, string> = {}): Loads {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', CHILD], {
    cwd: PACKAGE,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Loads;
}

describe('importing @mltel/cost and starting a cost meter', () => {
  it('loads neither the built-in prices nor big.js; the first priced call loads both, and prices it', () => {
    const { atStart, afterFirstCall, usd, threw, warnings } = child();
    expect(atStart).toEqual([]);
    expect(afterFirstCall.sort()).toEqual(['big.mjs', 'default-prices.js']);
    // gpt-4o: $2.50 per million input tokens, $10 per million output tokens.
    expect(usd).toBe(0.0035);
    expect(threw).toBe(false);
    expect(warnings).toEqual([]);
  });

  it('built-in prices that cannot be loaded: one warning, calls unpriced, nothing thrown into record()', () => {
    const { afterFirstCall, usd, threw, warnings } = child({ BREAK: '1' });
    expect(afterFirstCall).not.toContain('default-prices.js');
    expect(usd).toBeUndefined();
    expect(threw).toBe(false);
    expect(warnings.filter((w) => w.includes(DEFAULT_PRICES_MODULE))).toHaveLength(1);
    expect(warnings.join('\n')).toMatch(/simulated: not installed/);
  });
});
