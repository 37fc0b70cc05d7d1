// The BullMQ instrumentation's wrappers on stand-ins of BullMQ's patched classes (the integration
// test runs the real bullmq against a real Redis), and a check that the files and methods it
// patches exist in the installed bullmq.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { metrics } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { patchFiles, setup } from '../test/harness.js';
import { BullMQInstrumentation } from './bullmq.js';

afterEach(() => metrics.disable());

const requireHere = createRequire(import.meta.url);
// bullmq/dist/cjs/index.js -> the package folder.
const BULLMQ_DIR = join(dirname(requireHere.resolve('bullmq')), '../..');

interface Job {
  name: string;
  timestamp: number;
  processedOn: number;
  attemptsMade: number;
  opts: { attempts?: number; delay?: number };
}

function fakes() {
  class Queue {
    closing: Promise<void> | undefined;
    constructor(
      readonly name: string,
      readonly counts: Record<string, number> = {},
    ) {}
    async add(name: string) {
      if (name === 'refused') throw new Error('Missing lock');
      return { id: '1', name };
    }
    async addBulk(jobs: unknown[]) {
      return jobs;
    }
    async getJobCounts(...types: string[]) {
      return Object.fromEntries(types.map((t) => [t, this.counts[t] ?? 0]));
    }
    async close() {
      this.closing = Promise.resolve();
    }
  }
  class FlowProducer {
    async add(flow: unknown) {
      return { job: flow };
    }
    async addBulk(flows: unknown[]) {
      return flows;
    }
  }
  class Worker {
    constructor(
      readonly name: string,
      readonly processFn: (job: Job) => unknown,
    ) {}
    callProcessJob(job: Job) {
      return this.processFn(job);
    }
  }
  return { Queue, FlowProducer, Worker };
}

function instrumented() {
  const s = setup({ queueJobsIntervalMs: 0 });
  const classes = fakes();
  const instrumentation = new BullMQInstrumentation({ enabled: false, meter: s.meter, taskMeter: s.taskMeter });
  patchFiles(instrumentation, {
    'bullmq/dist/cjs/classes/queue.js': { Queue: classes.Queue },
    'bullmq/dist/cjs/classes/flow-producer.js': { FlowProducer: classes.FlowProducer },
    'bullmq/dist/cjs/classes/worker.js': { Worker: classes.Worker },
  });
  return { ...s, ...classes };
}

const job = (name: string, extra: Partial<Job> = {}): Job => ({
  name,
  timestamp: 1_000,
  processedOn: 1_500,
  attemptsMade: 0,
  opts: {},
  ...extra,
});

describe('BullMQInstrumentation', () => {
  it('patches files and methods that exist in the installed bullmq', () => {
    const instrumentation = new BullMQInstrumentation({ enabled: false });
    const [definition] = instrumentation.getModuleDefinitions();
    const expected: Record<string, [string, string[]]> = {
      'queue.js': ['Queue', ['add', 'addBulk', 'close', 'getJobCounts']],
      'flow-producer.js': ['FlowProducer', ['add', 'addBulk']],
      'worker.js': ['Worker', ['callProcessJob']],
    };
    expect(definition!.files).toHaveLength(3);
    for (const file of definition!.files) {
      const exports = requireHere(join(BULLMQ_DIR, file.name.slice('bullmq/'.length))) as Record<
        string,
        { prototype: Record<string, unknown> }
      >;
      const [className, methods] = expected[file.name.split('/').pop()!]!;
      for (const method of methods)
        expect(typeof exports[className]!.prototype[method], `${className}.${method}`).toBe('function');
    }
  });

  it('records adds, bulk adds and flows as sent messages per queue; errors by type; results unchanged', async () => {
    const { Queue, FlowProducer, collect } = instrumented();
    const queue = new Queue('jobs');
    expect(await queue.add('embed')).toEqual({ id: '1', name: 'embed' });
    expect(await queue.addBulk([1, 2, 3])).toEqual([1, 2, 3]);
    await expect(queue.add('refused')).rejects.toThrow('Missing lock');
    const flow = {
      name: 'p',
      queueName: 'parents',
      children: [
        { name: 'c', queueName: 'jobs' },
        { name: 'c', queueName: 'jobs' },
      ],
    };
    expect(await new FlowProducer().add(flow)).toEqual({ job: flow });
    await new FlowProducer().addBulk([flow, flow]);
    const c = await collect();
    expect(
      c
        .points('messaging.client.sent.messages')
        .map((p) => [
          p.attributes['messaging.operation.name'],
          p.attributes['messaging.destination.name'],
          p.attributes['error.type'],
          p.value,
        ]),
    ).toEqual([
      ['add', 'jobs', undefined, 1],
      ['add', 'jobs', 'Error', 1],
      ['add_bulk', 'jobs', undefined, 3],
      ['flow_add', 'jobs', undefined, 2],
      ['flow_add', 'parents', undefined, 1],
      ['flow_add_bulk', 'jobs', undefined, 4],
      ['flow_add_bulk', 'parents', undefined, 2],
    ]);
  });

  it('records each attempt as a task: success, retry while attempts remain, error on the last or unrecoverable', async () => {
    const { Worker, collect } = instrumented();
    const worker = new Worker('jobs', async (j) => {
      if (j.name === 'ok') return 42;
      const error = new TypeError('failed');
      if (j.name === 'fatal') error.name = 'UnrecoverableError';
      if (j.name === 'moved') error.name = 'DelayedError';
      throw error;
    });
    expect(await worker.callProcessJob(job('ok'))).toBe(42);
    await expect(worker.callProcessJob(job('flaky', { opts: { attempts: 3 } }))).rejects.toThrow('failed');
    await expect(worker.callProcessJob(job('flaky', { attemptsMade: 1, opts: { attempts: 3 } }))).rejects.toThrow();
    await expect(worker.callProcessJob(job('flaky', { attemptsMade: 2, opts: { attempts: 3 } }))).rejects.toThrow();
    await expect(worker.callProcessJob(job('fatal', { opts: { attempts: 3 } }))).rejects.toThrow();
    await expect(worker.callProcessJob(job('moved'))).rejects.toThrow();
    const c = await collect();
    const counts = Object.fromEntries(
      c
        .points('ml.tasks')
        .filter((p) => p.value > 0)
        .map((p) => [`${p.attributes['ml.task.name']}/${p.attributes['ml.task.status']}`, p.value]),
    );
    expect(counts).toEqual({ 'ok/success': 1, 'flaky/retry': 2, 'flaky/error': 1, 'fatal/error': 1, 'moved/retry': 1 });
    expect(c.points('ml.tasks.active').every((p) => p.value === 0)).toBe(true);
  });

  it('records the queue wait of a first attempt from the job timestamps, less its delay', async () => {
    const { Worker, collect } = instrumented();
    const worker = new Worker('jobs', () => 'sync result');
    expect(worker.callProcessJob(job('a', { timestamp: 1_000, processedOn: 1_250 }))).toBe('sync result');
    worker.callProcessJob(job('a', { timestamp: 1_000, processedOn: 6_100, opts: { delay: 5_000 } }));
    worker.callProcessJob(job('a', { timestamp: 1_000, processedOn: 9_000, attemptsMade: 1 }));
    const c = await collect();
    const [wait] = c.histograms('ml.task.queue.duration');
    expect(wait?.attributes).toEqual({ 'ml.task.name': 'a', 'ml.queue.name': 'jobs' });
    expect([wait?.count, wait?.sum]).toEqual([2, 0.35]);
  });

  it('reports the job counts of each queue added to, until it closes', async () => {
    const { Queue, collect } = instrumented();
    const queue = new Queue('jobs', { waiting: 3, delayed: 1 });
    await queue.add('embed');
    let c = await collect();
    const depth = () =>
      Object.fromEntries(
        c
          .points('ml.queue.jobs')
          .filter((p) => p.value > 0)
          .map((p) => [p.attributes['ml.queue.state'], p.value]),
      );
    expect(depth()).toEqual({ waiting: 3, delayed: 1 });
    queue.counts['waiting'] = 5;
    c = await collect();
    expect(depth()).toEqual({ waiting: 5, delayed: 1 });
    await queue.close();
    queue.counts['waiting'] = 9;
    c = await collect();
    expect(depth()['waiting']).not.toBe(9);
  });
});
