// Finding 11 of issue 13: a series born at its first increment loses that increment in
// increase()/rate(). Task statuses are a closed set, so `ml.tasks` is created at 0 for each status
// of a task name (and worker type) as soon as the name is first seen.
import { ML_TASK_STATUS_VALUES } from '@mltel/semconv';
import { describe, expect, it } from 'vitest';
import { deferred, flush, NAME, sdkProvider, setup, STATUS, WORKER } from '../test/harness.js';
import { createTaskMeter } from './default-meter.js';

const zeros = (name: string, extra: Record<string, string> = {}) =>
  ML_TASK_STATUS_VALUES.map((status) => ({ attributes: { [NAME]: name, [STATUS]: status, ...extra }, value: 0 }));

describe('ml.tasks at 0 for every status of a task seen', () => {
  it('the first collection after a task starts shows every status at 0', async () => {
    const { meter, collect } = setup();
    const work = deferred<void>();
    const run = meter.wrap('embed', () => work.promise);
    const pending = run();
    const c = await collect();
    expect(c.allPoints('ml.tasks')).toEqual(
      zeros('embed').sort((a, b) => (a.attributes[STATUS] < b.attributes[STATUS] ? -1 : 1)),
    );
    work.resolve();
    await pending;
    await flush();
    const after = (await collect()).allPoints('ml.tasks');
    expect(after.find((p) => p.attributes[STATUS] === 'success')?.value).toBe(1);
    expect(after.filter((p) => p.value === 0)).toHaveLength(ML_TASK_STATUS_VALUES.length - 1);
  });

  it('record() of a first task: its status counted, the other statuses at 0, per worker type', async () => {
    const { meter, collect } = setup();
    meter.record({ name: 'train', status: 'error', workerType: 'gpu' });
    const points = (await collect()).allPoints('ml.tasks');
    expect(points).toHaveLength(ML_TASK_STATUS_VALUES.length);
    for (const p of points) {
      expect(p.attributes[WORKER]).toBe('gpu');
      expect(p.value).toBe(p.attributes[STATUS] === 'error' ? 1 : 0);
    }
  });

  it('each meter creates the zeros on its own provider', async () => {
    const first = sdkProvider();
    const second = sdkProvider();
    const meter = createTaskMeter({ meterProvider: first.provider });
    meter.record({ name: 'a' });
    expect((await first.collect()).allPoints('ml.tasks')).toHaveLength(ML_TASK_STATUS_VALUES.length);
    // A meter on another provider sees its own first task: zeros there too.
    const other = createTaskMeter({ meterProvider: second.provider });
    other.record({ name: 'a', status: 'timeout' });
    expect((await second.collect()).allPoints('ml.tasks')).toHaveLength(ML_TASK_STATUS_VALUES.length);
  });
});
