import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diag } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { budgetAttrs, captureDiag, FakeClock, REFUSED, setup, SPENT, tempDir } from '../../test/harness.js';
import { BudgetExceededError } from '../budgets/errors.js';
import { FileStore, MAX_BUDGET_STORE_FILE_BYTES } from './file.js';

let log: ReturnType<typeof captureDiag>;
let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  log = captureDiag();
  tmp = tempDir();
});
afterEach(() => {
  expect(log.errors).toEqual([]);
  diag.disable();
  tmp.remove();
});

const T0 = Date.parse('2025-06-15T12:00:00.000Z');
const HOUR = 3_600_000;

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

describe('FileStore', () => {
  it('totals survive a new FileStore on the same path, exactly (beyond 2^53)', async () => {
    const path = join(tmp.dir, 'nested', 'dir', 'budgets.json');
    const clock = new FakeClock(T0);
    const first = new FileStore(path, clock.now);
    expect(first.description).toBe(`file ${path}`);
    expect(first.shared).toBe(false);
    await first.add('mltel:budget:daily:day:1', 2_500_000n, T0 + HOUR);
    await first.add('mltel:budget:daily:day:1', 2n ** 64n, T0 + HOUR);
    await first.add('mltel:budget:other:hour:2', 7n, T0 + 2 * HOUR);
    await first.close();
    expect(readJson(path)).toEqual({
      version: 1,
      counters: {
        'mltel:budget:daily:day:1': { total: '18446744073712051616', expiresAt: T0 + HOUR },
        'mltel:budget:other:hour:2': { total: '7', expiresAt: T0 + 2 * HOUR },
      },
    });
    expect(existsSync(`${path}.tmp`)).toBe(false);

    const second = new FileStore(path, clock.now);
    expect(await second.get(['mltel:budget:daily:day:1', 'mltel:budget:other:hour:2', 'nope'])).toEqual([
      2n ** 64n + 2_500_000n,
      7n,
      0n,
    ]);
    expect(await second.add('mltel:budget:other:hour:2', 3n, T0 + 2 * HOUR)).toBe(10n);
    expect(log.warnings).toEqual([]);
  });

  it('drops expired counters when it reads the file and when it writes it', async () => {
    const path = join(tmp.dir, 'budgets.json');
    const clock = new FakeClock(T0);
    const first = new FileStore(path, clock.now);
    await first.add('short', 1n, T0 + 1000);
    await first.add('long', 2n, T0 + HOUR);
    clock.advance(1000);
    const second = new FileStore(path, clock.now);
    expect(await second.get(['short', 'long'])).toEqual([0n, 2n]);
    await second.add('long', 1n, T0 + HOUR);
    expect(Object.keys((readJson(path) as { counters: object }).counters)).toEqual(['long']);
    // Expired while running: read as 0.
    clock.set('2025-06-15T13:00:00.000Z');
    expect(await second.get(['long'])).toEqual([0n]);
  });

  it('a corrupt file: one warning, spend from zero, the bad file kept as .corrupt', async () => {
    const path = join(tmp.dir, 'budgets.json');
    const bad = '{"version": 1, "counters": {"a": {"total": "12", "expiresAt": 9';
    writeFileSync(path, bad);
    const store = new FileStore(path, () => T0);
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toMatch(
      new RegExp(`^mltel: the budget file ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} could not be read \\(`),
    );
    expect(log.warnings[0]).toContain(`${path}.corrupt`);
    expect(readFileSync(`${path}.corrupt`, 'utf8')).toBe(bad);
    expect(existsSync(path)).toBe(false);
    expect(await store.get(['a'])).toEqual([0n]);
    // It works on: a good file is written beside the kept bad one.
    await store.add('a', 5n, T0 + HOUR);
    expect(readJson(path)).toEqual({ version: 1, counters: { a: { total: '5', expiresAt: T0 + HOUR } } });
    expect(readFileSync(`${path}.corrupt`, 'utf8')).toBe(bad);
  });

  it('a file of another version, or with a bad total, is corrupt too', () => {
    for (const text of [
      JSON.stringify({ version: 2, counters: {} }),
      JSON.stringify({ version: 1 }),
      JSON.stringify({ version: 1, counters: { a: { total: 'twelve', expiresAt: T0 + HOUR } } }),
      '[]',
    ]) {
      const path = join(tmp.dir, `f${log.warnings.length}.json`);
      writeFileSync(path, text);
      const store = new FileStore(path, () => T0);
      expect(store).toBeInstanceOf(FileStore);
      expect(readFileSync(`${path}.corrupt`, 'utf8')).toBe(text);
    }
    expect(log.warnings).toHaveLength(4);
    expect(log.warnings.every((w) => w.includes('could not be read'))).toBe(true);
  });

  it('a FIFO, a device or an oversized file is refused at once, unread and untouched (finding 3)', () => {
    const fifo = join(tmp.dir, 'budgets.fifo');
    execFileSync('mkfifo', [fifo]);
    expect(() => new FileStore(fifo)).toThrow('not a regular file: a FIFO');
    expect(() => new FileStore('/dev/zero')).toThrow('not a regular file: a character device');
    const big = join(tmp.dir, 'big.json');
    writeFileSync(big, '{}');
    truncateSync(big, MAX_BUDGET_STORE_FILE_BYTES + 1);
    expect(() => new FileStore(big)).toThrow(`larger than 16 MiB: ${MAX_BUDGET_STORE_FILE_BYTES + 1} bytes`);
    expect(existsSync(`${big}.corrupt`)).toBe(false);
    expect(log.warnings).toEqual([]);
  });

  it('concurrent adds all reach the file', async () => {
    const path = join(tmp.dir, 'budgets.json');
    const store = new FileStore(path, () => T0);
    const totals = await Promise.all(Array.from({ length: 200 }, () => store.add('k', 3n, T0 + HOUR)));
    expect(totals.map(String).sort((a, b) => Number(a) - Number(b))).toEqual(
      Array.from({ length: 200 }, (_, i) => String(3 * (i + 1))),
    );
    expect(readJson(path)).toEqual({ version: 1, counters: { k: { total: '600', expiresAt: T0 + HOUR } } });
    expect(await new FileStore(path, () => T0).get(['k'])).toEqual([600n]);
  });

  it('saveSync writes the file at once', async () => {
    const path = join(tmp.dir, 'budgets.json');
    const store = new FileStore(path, () => T0);
    void store.add('k', 9n, T0 + HOUR);
    store.saveSync();
    expect(readJson(path)).toEqual({ version: 1, counters: { k: { total: '9', expiresAt: T0 + HOUR } } });
    await store.close();
  });

  it('a write that fails is reported once; the spend is counted once and written with the next change', async () => {
    const path = join(tmp.dir, 'budgets.json');
    // A directory where the temporary file goes: the write fails.
    mkdirSync(`${path}.tmp`);
    const s = setup({
      budgets: [{ name: 'd', limitUsd: 100, window: 'day' }],
      store: new FileStore(path, () => T0),
      now: () => T0,
    });
    s.cost.record({ provider: 'openai', usd: 1 });
    s.cost.record({ provider: 'openai', usd: 1 });
    await s.cost.budgets.close();
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toMatch(/^mltel: the budget file .* could not be written \(.*EISDIR/);
    expect(existsSync(path)).toBe(false);
    tmp.removeSub(`${path}.tmp`);
    s.cost.record({ provider: 'openai', usd: 2 });
    await s.cost.close();
    expect(s.cost.budgets.spentUsd('d')).toBe(4);
    const [total] = await new FileStore(path, () => T0).get([
      `mltel:budget:d:day:${Date.parse('2025-06-15T00:00:00Z')}`,
    ]);
    expect(total).toBe(4_000_000_000_000n);
    expect(log.warnings).toHaveLength(1);
  });

  it('a budget keeps its spend across a restart: gauges and hard stop', async () => {
    const path = join(tmp.dir, 'spend', 'budgets.json');
    mkdirSync(join(tmp.dir, 'spend'));
    const budgets = [{ name: 'cap', limitUsd: 1, window: 'day' as const, hardStop: true }];
    const before = setup({ budgets, store: new FileStore(path, () => T0), now: () => T0 });
    before.cost.record({ provider: 'openai', model: 'gpt-4o', usd: '0.6' });
    before.cost.record({ provider: 'openai', model: 'gpt-4o', usd: '0.4' });
    await before.cost.close();

    const after = setup({ budgets, store: new FileStore(path, () => T0), now: () => T0 });
    await after.cost.budgets.loaded;
    expect(after.cost.budgets.spentUsd('cap')).toBe(1);
    expect((await after.collect()).points(SPENT)).toEqual([{ attributes: budgetAttrs('cap', 'day'), value: 1 }]);
    let called = false;
    await expect(
      after.meter.track({ provider: 'openai', operation: 'chat', model: 'gpt-4o' }, async () => {
        called = true;
      }),
    ).rejects.toBeInstanceOf(BudgetExceededError);
    expect(called).toBe(false);
    expect((await after.collect()).points(REFUSED)).toEqual([{ attributes: budgetAttrs('cap', 'day'), value: 1 }]);

    // The next day starts from zero.
    const nextDay = setup({ budgets, store: new FileStore(path, () => T0 + 24 * HOUR), now: () => T0 + 24 * HOUR });
    await nextDay.cost.budgets.loaded;
    expect(nextDay.cost.budgets.spentUsd('cap')).toBe(0);
    expect(log.warnings).toEqual([]);
    await after.cost.close();
    await nextDay.cost.close();
  });
});
