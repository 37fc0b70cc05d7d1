import { diag } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureDiag, COST, PROVIDER, setup, TASK } from '../test/harness.js';
import { currentCostScope, withCostScope } from './scope.js';

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  expect(log.errors).toEqual([]);
  diag.disable();
});

describe('withCostScope()', () => {
  it('returns what fn returns; outside any scope there is none', () => {
    expect(currentCostScope()).toBeUndefined();
    expect(withCostScope({ task: 'summarise' }, () => currentCostScope())).toEqual({ task: 'summarise' });
    expect(withCostScope({}, () => 42)).toBe(42);
    expect(currentCostScope()).toBeUndefined();
  });

  it('an inner scope adds to the outer one, its fields winning; the outer is back after it', () => {
    withCostScope({ task: 'outer', tenant: 'acme' }, () => {
      expect(withCostScope({ task: 'inner' }, () => currentCostScope())).toEqual({ task: 'inner', tenant: 'acme' });
      expect(currentCostScope()).toEqual({ task: 'outer', tenant: 'acme' });
    });
  });

  it('follows the awaits and timers of fn, and does not leak into concurrent work', async () => {
    const seen: (string | undefined)[] = [];
    await Promise.all([
      withCostScope({ task: 'a' }, async () => {
        await new Promise((resolve) => setTimeout(resolve, 10));
        seen.push(currentCostScope()?.task);
      }),
      withCostScope({ task: 'b' }, async () => {
        await Promise.resolve();
        seen.push(currentCostScope()?.task);
      }),
      (async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        seen.push(currentCostScope()?.task);
      })(),
    ]);
    expect(seen).toEqual(['b', undefined, 'a']);
  });

  it('charges the calls made inside it to its task (ml.task.name of ml.cost.usd)', async () => {
    const { cost, meter, collect } = setup();
    await withCostScope({ task: 'summarise', tenant: 'acme' }, () =>
      meter.track({ provider: 'openai', operation: 'chat', model: 'gpt-4o' }, async () => 'ok', {
        usage: () => ({ inputTokens: 1000 }),
      }),
    );
    withCostScope({ task: 'translate' }, () => cost.record({ provider: 'openai', usd: 1 }));
    cost.record({ provider: 'openai', usd: 2 });
    expect((await collect()).points(COST).map((p) => [p.attributes[PROVIDER], p.attributes[TASK], p.value])).toEqual([
      ['openai', undefined, 2],
      ['openai', 'translate', 1],
      ['openai', 'summarise', 0.0025],
    ]);
    expect(log.warnings).toEqual([]);
  });
});
