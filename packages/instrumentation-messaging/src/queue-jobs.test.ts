import { WarnOnce } from '@mltel/kit';
import { afterEach, describe, expect, it } from 'vitest';
import { metrics } from '@opentelemetry/api';
import { captureDiag, sdkProvider } from '../test/harness.js';
import { MAX_OBSERVED_QUEUES, QueueJobs } from './queue-jobs.js';

afterEach(() => metrics.disable());

function setUp(options: { intervalMs?: number; timeoutMs?: number } = {}) {
  const sdk = sdkProvider();
  const clock = { t: 0 };
  const jobs = new QueueJobs(options, new WarnOnce(), () => clock.t);
  const gauge = sdk.provider.getMeter('t').createObservableGauge('ml.queue.jobs');
  gauge.addCallback((result) => jobs.observe(result));
  const depth = async () =>
    Object.fromEntries(
      (await sdk.collect())
        .points('ml.queue.jobs')
        .map((p) => [`${p.attributes['ml.queue.name']}/${p.attributes['ml.queue.state']}`, p.value]),
    );
  return { jobs, clock, depth };
}

describe('QueueJobs', () => {
  it('reads each queue at most once per interval and reports the cached counts in between', async () => {
    const { jobs, clock, depth } = setUp({ intervalMs: 10_000 });
    let reads = 0;
    jobs.add('bullmq', 'q', async () => ({ waiting: ++reads, failed: 2, bogus: 9 }));
    expect(await depth()).toEqual({ 'q/waiting': 1, 'q/failed': 2 });
    clock.t = 9_999;
    expect(await depth()).toEqual({ 'q/waiting': 1, 'q/failed': 2 });
    clock.t = 10_000;
    expect(await depth()).toEqual({ 'q/waiting': 2, 'q/failed': 2 });
    expect(reads).toBe(2);
  });

  it('waits at most the timeout for a read that hangs, then reports what it has', async () => {
    const { jobs, depth } = setUp({ timeoutMs: 50 });
    jobs.add('bullmq', 'hangs', () => new Promise(() => {}));
    jobs.add('bullmq', 'fine', async () => ({ active: 3 }));
    const started = performance.now();
    expect(await depth()).toEqual({ 'fine/active': 3 });
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('keeps the last counts through failed reads for a while, then stops observing them, with one warning', async () => {
    const diag = captureDiag();
    const clock = { t: 0 };
    const jobs = new QueueJobs({ intervalMs: 1_000 }, new WarnOnce(), () => clock.t);
    // The observations of one callback (the SDK itself keeps reporting a gauge's last value).
    const observed = async () => {
      const out: Record<string, number> = {};
      await jobs.observe({
        observe: (value: number, attributes?: Record<string, unknown>) => {
          out[String(attributes?.['ml.queue.state'])] = value;
        },
      } as Parameters<QueueJobs['observe']>[0]);
      return out;
    };
    let fail = false;
    jobs.add('bullmq', 'q', async () => {
      if (fail) throw new Error('redis down');
      return { waiting: 4 };
    });
    expect(await observed()).toEqual({ waiting: 4 });
    fail = true;
    clock.t = 30_000;
    expect(await observed()).toEqual({ waiting: 4 });
    clock.t = 61_000;
    expect(await observed()).toEqual({});
    expect(diag.warnings.filter((w) => w.includes('redis down'))).toHaveLength(1);
  });

  it('stops reporting a queue when stopped; a second reader replaces the first', async () => {
    const { jobs, depth } = setUp({ intervalMs: 0 });
    const stopFirst = jobs.add('bullmq', 'q', async () => ({ waiting: 1 }));
    const stopSecond = jobs.add('bullmq', 'q', async () => ({ waiting: 2 }));
    stopFirst();
    expect(await depth()).toEqual({ 'q/waiting': 2 });
    stopSecond();
    expect(jobs.has('bullmq', 'q')).toBe(false);
  });

  it(`reports at most ${MAX_OBSERVED_QUEUES} queues`, async () => {
    const diag = captureDiag();
    const { jobs, depth } = setUp();
    for (let i = 0; i <= MAX_OBSERVED_QUEUES; i++) jobs.add('bullmq', `q${i}`, async () => ({ waiting: i }));
    expect(Object.keys(await depth())).toHaveLength(MAX_OBSERVED_QUEUES);
    expect(diag.warnings.some((w) => w.includes(`at most ${MAX_OBSERVED_QUEUES} queues`))).toBe(true);
  });
});
