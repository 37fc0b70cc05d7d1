import { describe, expect, it } from 'vitest';
import { isClientPatched, markClientPatched, recordingFramework, runInFramework } from './framework-scope.js';

describe('framework scope', () => {
  it('names the framework inside its call, across awaits, and nothing outside', async () => {
    expect(recordingFramework()).toBeUndefined();
    const seen = await runInFramework('ai', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return recordingFramework();
    });
    expect(seen).toBe('ai');
    expect(recordingFramework()).toBeUndefined();
  });

  it('returns what the call returns and lets its errors through', () => {
    expect(runInFramework('langchain', () => 42)).toBe(42);
    const failure = new Error('x');
    expect(() =>
      runInFramework('ai', () => {
        throw failure;
      }),
    ).toThrow(failure);
  });
});

describe('patched clients', () => {
  it('a module is patched while any copy of it is', () => {
    expect(isClientPatched('h8-test-client')).toBe(false);
    markClientPatched('h8-test-client', true);
    markClientPatched('h8-test-client', true);
    markClientPatched('h8-test-client', false);
    expect(isClientPatched('h8-test-client')).toBe(true);
    markClientPatched('h8-test-client', false);
    expect(isClientPatched('h8-test-client')).toBe(false);
    markClientPatched('h8-test-client', false);
    expect(isClientPatched('h8-test-client')).toBe(false);
  });
});
