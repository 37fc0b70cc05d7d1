import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  announceProviderChange,
  followGlobalProvider,
  PROVIDER_RECHECK_MS,
  providerChangeListeners,
} from './provider-change.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('provider change', () => {
  it('the listeners live on globalThis under a registered symbol, shared by every copy', () => {
    const listeners = providerChangeListeners();
    expect(listeners).toBe(providerChangeListeners());
    expect((globalThis as Record<symbol, unknown>)[Symbol.for('@mltel/global-meter-provider-changed')]).toBe(listeners);
  });

  it('announceProviderChange calls every listener, even after one throws', () => {
    const calls: string[] = [];
    const throwing = (): void => {
      calls.push('throwing');
      throw new Error('listener failed');
    };
    const fine = (): void => void calls.push('fine');
    providerChangeListeners().add(throwing);
    providerChangeListeners().add(fine);
    expect(() => announceProviderChange()).not.toThrow();
    providerChangeListeners().delete(throwing);
    providerChangeListeners().delete(fine);
    expect(calls).toEqual(['throwing', 'fine']);
  });

  it('followGlobalProvider: at once on an announcement, and on the re-check, until stopped', () => {
    vi.useFakeTimers();
    let calls = 0;
    const stop = followGlobalProvider(() => void calls++);
    announceProviderChange();
    expect(calls).toBe(1);
    vi.advanceTimersByTime(PROVIDER_RECHECK_MS);
    expect(calls).toBe(2);
    stop();
    announceProviderChange();
    vi.advanceTimersByTime(PROVIDER_RECHECK_MS * 3);
    expect(calls).toBe(2);
  });

  it('the re-check timer does not keep the process alive', () => {
    const before = new Set(process.getActiveResourcesInfo());
    const stop = followGlobalProvider(() => {});
    const timers = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout');
    stop();
    // An unref'd timer is not listed among the resources that keep the loop alive.
    expect(timers.length).toBe([...before].filter((kind) => kind === 'Timeout').length);
  });
});
