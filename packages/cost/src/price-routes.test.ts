import { describe, expect, it } from 'vitest';
import { MAX_ROUTES, PriceRoutes, VersionedCatalog } from './price-routes.js';

const DAY = 86_400_000;
const JAN = Date.parse('2025-01-01T00:00:00Z');

function setup(): { catalog: VersionedCatalog; routes: PriceRoutes } {
  const catalog = new VersionedCatalog();
  catalog.add(
    [
      { provider: 'openai', model: 'gpt-4o', input: '0.0000025', output: '0.00001' },
      { provider: 'openai', model: 'gpt-4o', effectiveFrom: '2025-01-02', input: '0.000002', output: '0.000008' },
      { provider: 'openai', model: 'gpt-4o-mini', input: '0.00000015', output: '0.0000006' },
    ],
    'default',
  );
  return { catalog, routes: new PriceRoutes(catalog) };
}

const input = (routes: PriceRoutes, ...args: Parameters<PriceRoutes['lookup']>): string | undefined =>
  routes.lookup(...args)?.price.rates.input?.toFixed();

describe('PriceRoutes', () => {
  it('answers what two catalog lookups answer: the response model first, then the requested one', () => {
    const { catalog, routes } = setup();
    for (const [model, response] of [
      ['gpt-4o', 'gpt-4o-mini-2024-07-18'],
      ['gpt-4o', undefined],
      [undefined, 'openai/gpt-4o-2024-08-06'],
      ['gpt-4o-mini', 'unknown-model'],
      ['unknown', 'unknown-too'],
      [undefined, undefined],
    ] as const) {
      const expected =
        (response === undefined ? undefined : catalog.lookup('openai', response, JAN)) ??
        (model === undefined ? undefined : catalog.lookup('openai', model, JAN));
      // Twice: the second answer comes from the cache.
      expect(routes.lookup('openai', model, response, JAN)).toEqual(expected);
      expect(routes.lookup('openai', model, response, JAN)).toEqual(expected);
    }
  });

  it('sees a price added after the first lookup', () => {
    const { catalog, routes } = setup();
    expect(input(routes, 'openai', 'gpt-4o', undefined, JAN)).toBe('0.0000025');
    expect(routes.lookup('openai', 'gpt-5', undefined, JAN)).toBeUndefined();
    catalog.add([{ provider: 'openai', model: 'gpt-4o', input: '0.000001' }], 'user');
    catalog.add([{ provider: 'openai', model: 'gpt-5', input: '0.00000125' }], 'file');
    expect(input(routes, 'openai', 'gpt-4o', undefined, JAN)).toBe('0.000001');
    expect(input(routes, 'openai', 'gpt-5', undefined, JAN)).toBe('0.00000125');
  });

  it('moves to a dated price when the clock passes its date, and back for an earlier call', () => {
    const { routes } = setup();
    expect(input(routes, 'openai', 'gpt-4o', undefined, JAN)).toBe('0.0000025');
    expect(input(routes, 'openai', 'gpt-4o', undefined, JAN + DAY - 1)).toBe('0.0000025');
    expect(input(routes, 'openai', 'gpt-4o', undefined, JAN + DAY)).toBe('0.000002');
    expect(input(routes, 'openai', 'gpt-4o', undefined, JAN + 30 * DAY)).toBe('0.000002');
    expect(input(routes, 'openai', 'gpt-4o', undefined, JAN - DAY)).toBe('0.0000025');
  });

  it('never mixes up names that would make the same key', () => {
    const catalog = new VersionedCatalog();
    catalog.add(
      [
        { provider: 'p', model: 'x\u0000y', input: '1' },
        { provider: 'p', model: 'x', input: '2' },
      ],
      'user',
    );
    const routes = new PriceRoutes(catalog);
    for (let i = 0; i < 2; i++) {
      // Both would be the key p␀x␀y␀␁ without the names kept in the route.
      expect(input(routes, 'p', 'x\u0000y', undefined, JAN)).toBe('1');
      expect(input(routes, 'p', 'x', 'y\u0000\u0001', JAN)).toBe('2');
    }
  });

  it('stays bounded however many distinct names callers send', () => {
    const { routes } = setup();
    for (let i = 0; i < 3 * MAX_ROUTES; i++) routes.lookup('openai', `model-${i}`, undefined, JAN);
    expect((routes as unknown as { routes: Map<string, unknown> }).routes.size).toBeLessThanOrEqual(MAX_ROUTES);
    expect(input(routes, 'openai', 'gpt-4o-mini', undefined, JAN)).toBe('0.00000015');
  });
});
