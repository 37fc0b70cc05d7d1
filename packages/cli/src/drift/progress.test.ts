import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { memoryIo } from '../../test/memory-io.js';
import { progressBar } from './progress.js';

// cli-progress redraws on its own timer: fake timers make the redraws happen when the test says.
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('progressBar', () => {
  it('writes nothing when stderr is not a terminal', () => {
    const run = memoryIo('/');
    const bar = progressBar(run.io, 10 << 20, 'reading');
    bar.update(5 << 20);
    vi.advanceTimersByTime(1000);
    bar.stop();
    expect(run.stderr()).toBe('');
    expect(run.stdout()).toBe('');
  });

  it('draws the label and the megabytes read on a terminal, and ends at the total', () => {
    const run = memoryIo('/', { tty: true });
    const bar = progressBar(run.io, 3_000_000, 'reading');
    bar.update(1_500_000);
    vi.advanceTimersByTime(1000);
    bar.stop();
    const out = run.stderr();
    expect(out).toContain('reading [');
    expect(out).toContain('| 0/3 MB');
    expect(out).toContain('50% | 1.5/3 MB');
    expect(out).toContain('100% | 3/3 MB');
    expect(run.stdout()).toBe('');
  });

  it('redraws at most once per MiB read', () => {
    const run = memoryIo('/', { tty: true });
    const bar = progressBar(run.io, 10_000_000, 'reading');
    bar.update(500_000);
    vi.advanceTimersByTime(1000);
    expect(run.stderr()).not.toContain('0.5/10 MB');
    bar.update(1_100_000);
    vi.advanceTimersByTime(1000);
    expect(run.stderr()).toContain('1.1/10 MB');
    bar.stop();
  });
});
