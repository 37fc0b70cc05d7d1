import { diag } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureDiag, NAME, sdkProvider, WORKER } from '../test/harness.js';
import { joinActive } from './active-registry.js';
import type { ActiveContributor } from './active-registry.js';

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  expect(log.errors).toEqual([]);
  diag.disable();
});

const reporting = (entries: [string, string | undefined, number][]): ActiveContributor => ({
  collect: (add) => {
    for (const [name, worker, active] of entries) {
      add(name, worker, active, worker === undefined ? { [NAME]: name } : { [NAME]: name, [WORKER]: worker });
    }
  },
});

describe('joinActive', () => {
  it('one instrument per meter; what its contributors report is summed per name and worker', async () => {
    const sdk = sdkProvider();
    const meter = sdk.provider.getMeter('@mltel/tasks');
    const a = reporting([
      ['embed', undefined, 2],
      ['embed', 'gpu', 1],
    ]);
    const b = reporting([
      ['embed', undefined, 3],
      ['rank', undefined, 0],
    ]);
    const first = joinActive(meter, a);
    const second = joinActive(meter, b);
    expect(second.instrument).toBe(first.instrument);
    let c = await sdk.collect();
    expect(c.points('ml.tasks.active')).toEqual([
      { attributes: { [NAME]: 'embed' }, value: 5 },
      { attributes: { [NAME]: 'embed', [WORKER]: 'gpu' }, value: 1 },
      { attributes: { [NAME]: 'rank' }, value: 0 },
    ]);
    second.leave();
    c = await sdk.collect();
    expect(c.points('ml.tasks.active').map((p) => p.value)).toEqual([2, 1, 0]);
    first.leave();
  });

  it('a contributor that throws loses its own share only', async () => {
    const sdk = sdkProvider();
    const meter = sdk.provider.getMeter('@mltel/tasks');
    const failing: ActiveContributor = {
      collect: () => {
        throw new Error('boom');
      },
    };
    joinActive(meter, failing);
    joinActive(meter, reporting([['embed', undefined, 1]]));
    const c = await sdk.collect();
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'embed' }, value: 1 }]);
  });
});
