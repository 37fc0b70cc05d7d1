import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/env.js';

describe('multi-process settings', () => {
  it('default to on, a 1000 ms scrape timeout and a 5000 ms push interval', () => {
    const { config, problems } = resolveConfig({ env: {} });
    expect(problems).toEqual([]);
    expect([config.multiprocess, config.multiprocessTimeoutMillis, config.multiprocessPushMillis]).toEqual([
      true,
      1000,
      5000,
    ]);
  });

  it('are read from MLTEL_MULTIPROCESS*, options winning', () => {
    const env = {
      MLTEL_MULTIPROCESS: 'false',
      MLTEL_MULTIPROCESS_TIMEOUT: '250',
      MLTEL_MULTIPROCESS_PUSH_INTERVAL: '0',
    };
    const { config } = resolveConfig({ env });
    expect([config.multiprocess, config.multiprocessTimeoutMillis, config.multiprocessPushMillis]).toEqual([
      false,
      250,
      0,
    ]);
    expect(resolveConfig({ env, multiprocess: true }).config.multiprocess).toBe(true);
  });

  it('a bad value keeps the default and names the setting and the fix', () => {
    const { config, problems } = resolveConfig({
      env: { MLTEL_MULTIPROCESS_TIMEOUT: '0', MLTEL_MULTIPROCESS: 'maybe' },
    });
    expect(config.multiprocessTimeoutMillis).toBe(1000);
    expect(config.multiprocess).toBe(true);
    expect(problems.map((p) => p.setting).sort()).toEqual(['MLTEL_MULTIPROCESS', 'MLTEL_MULTIPROCESS_TIMEOUT']);
    expect(problems.every((p) => p.message.includes('Fix:'))).toBe(true);
  });
});
