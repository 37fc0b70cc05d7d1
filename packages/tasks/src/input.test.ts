import { afterEach, describe, expect, it } from 'vitest';
import { diag } from '@opentelemetry/api';
import { captureDiag, deferred, flush, setup } from '../test/harness.js';
import { MAX_QUEUE_SIZE, MAX_SECONDS, MAX_TIMEOUT_MS, safeErrorType } from './input.js';
import { field, inRange } from '@mltel/kit';

afterEach(() => diag.disable());

describe('field()', () => {
  it('reads a field, and gives undefined for a throwing getter, a throwing Proxy or a non-object', () => {
    expect(field({ a: 1 }, 'a')).toBe(1);
    const getter = Object.defineProperty({}, 'a', {
      get() {
        throw new Error('no');
      },
    });
    expect(field(getter, 'a')).toBeUndefined();
    const proxy = new Proxy(
      {},
      {
        get() {
          throw new Error('no');
        },
      },
    );
    expect(field(proxy, 'a')).toBeUndefined();
    expect(field(null, 'a')).toBeUndefined();
    expect(field(7, 'a')).toBeUndefined();
  });
});

describe('inRange() and the documented ranges', () => {
  it('admits 0 to max, nothing else', () => {
    expect(inRange(0, 10)).toBe(true);
    expect(inRange(10, 10)).toBe(true);
    expect(inRange(10.5, 10)).toBe(false);
    expect(inRange(-1, 10)).toBe(false);
    expect(inRange(Number.NaN, 10)).toBe(false);
    expect(inRange('1', 10)).toBe(false);
    expect([MAX_SECONDS, MAX_QUEUE_SIZE, MAX_TIMEOUT_MS]).toEqual([1e7, 1e12, 2 ** 31 - 1]);
  });

  it('safeErrorType() is _OTHER for an error whose getters throw', () => {
    const error = Object.defineProperty(new Error('x'), 'code', {
      get() {
        throw new Error('no');
      },
    });
    expect(safeErrorType(error)).toBe('_OTHER');
    expect(safeErrorType(new TypeError('x'))).toBe('TypeError');
  });
});

describe('absurd values (finding 8): dropped with one warning, the sums stay finite', () => {
  it('ml.task.duration of 1e308 is dropped (the task is counted); the _sum stays finite', async () => {
    const log = captureDiag();
    const { meter, collect } = setup();
    for (let i = 0; i < 3; i++) meter.record({ name: 't', durationSeconds: 1e308 });
    meter.record({ name: 't', durationSeconds: MAX_SECONDS });
    const c = await collect();
    const [h] = c.histograms('ml.task.duration');
    expect(h?.count).toBe(1);
    expect(h?.sum).toBe(MAX_SECONDS);
    expect(c.points('ml.tasks')[0]?.value).toBe(4);
    expect(log.warnings).toEqual([
      'mltel: ml.task.duration needs a number of seconds from 0 to 10000000, got number 1e+308; the duration is dropped, the task is counted',
    ]);
  });

  it('ml.task.queue.duration of 1e308 is dropped with one warning', async () => {
    const log = captureDiag();
    const { meter, collect } = setup();
    meter.recordQueueWait('t', 'q', 1e308);
    meter.recordQueueWait('t', 'q', 1e308);
    meter.recordQueueWait('t', 'q', 2);
    const [h] = (await collect()).histograms('ml.task.queue.duration');
    expect(h?.sum).toBe(2);
    expect(log.warnings).toHaveLength(1);
  });

  it('ml.queue.size of 1e308 is dropped with one warning', async () => {
    const log = captureDiag();
    const { meter, collect } = setup();
    meter.setQueueSize('absurd-q', 1e308);
    meter.setQueueSize('absurd-q', 1e308);
    const points = (await collect()).points('ml.queue.size');
    expect(points.filter((p) => p.attributes['ml.queue.name'] === 'absurd-q')).toEqual([]);
    expect(log.warnings).toHaveLength(1);
  });

  it('a timeoutMs past 2^31-1 ms is ignored (Node would fire it at once), with one warning', async () => {
    const log = captureDiag();
    const { meter, collect } = setup();
    const work = deferred<string>();
    const slow = meter.wrap('slow', () => work.promise, { timeoutMs: 2 ** 31 });
    const result = slow();
    await new Promise((resolve) => setTimeout(resolve, 20));
    work.resolve('done');
    await expect(result).resolves.toBe('done');
    await flush();
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([
      { attributes: { 'ml.task.name': 'slow', 'ml.task.status': 'success' }, value: 1 },
    ]);
    expect(log.warnings).toEqual([
      'mltel: timeoutMs must be a number of milliseconds from 1 to 2147483647, got number 2147483648; ignored',
    ]);
  });
});
