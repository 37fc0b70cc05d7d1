// Hostile values for the property suites of every recording package (tasks, genai, pipeline,
// quality: `hostile-input.suite.test.ts`): what a caller can hand a recording API by mistake or
// malice. Each is something a recording call must survive without throwing into the caller.
import fc from 'fast-check';

/** The seed of every hostile-input property run, so a CI failure replays exactly. */
export const HOSTILE_SEED = 1313;

/** An error whose every conversion to a primitive throws (itself): `String(error)` in a catch rethrows. */
export function unprintableError(): object {
  const error = Object.create(Error.prototype) as Record<PropertyKey, unknown>;
  const explode = (): never => {
    throw error;
  };
  for (const key of [Symbol.toPrimitive, 'toString', 'valueOf', 'message', 'name', 'code', 'constructor', 'stack']) {
    Object.defineProperty(error, key, { get: explode });
  }
  return error;
}

const TRAPS = [
  'get',
  'set',
  'has',
  'ownKeys',
  'getOwnPropertyDescriptor',
  'defineProperty',
  'deleteProperty',
  'getPrototypeOf',
  'setPrototypeOf',
  'isExtensible',
  'preventExtensions',
  'apply',
  'construct',
] as const;

/** A Proxy whose every trap throws (always the same unprintable error); a callable one when `callable`. */
export function throwingProxy(callable = false): object {
  const handler: ProxyHandler<object> = {};
  const error = unprintableError();
  for (const trap of TRAPS) {
    (handler as Record<string, unknown>)[trap] = () => {
      throw error;
    };
  }
  return new Proxy(callable ? function target() {} : {}, handler);
}

/** An object whose listed keys (and `then`, and every conversion) are getters that throw. */
export function throwingGetters(keys: readonly string[]): object {
  const object: Record<PropertyKey, unknown> = {};
  const error = unprintableError();
  const explode = (): never => {
    throw error;
  };
  for (const key of [...keys, 'then', 'toString', 'valueOf', 'toJSON', 'length', 'size']) {
    Object.defineProperty(object, key, { get: explode, enumerable: true });
  }
  Object.defineProperty(object, Symbol.toPrimitive, { get: explode });
  Object.defineProperty(object, Symbol.iterator, { get: explode });
  Object.defineProperty(object, Symbol.asyncIterator, { get: explode });
  return object;
}

/** An object whose `toString`, `valueOf` and `Symbol.toPrimitive` throw (template literals, `String()`, `+x`). */
export function throwingConversions(): object {
  const error = unprintableError();
  const explode = (): never => {
    throw error;
  };
  return { toString: explode, valueOf: explode, [Symbol.toPrimitive]: explode };
}

/** A thenable whose `then` getter throws. */
export function throwingThen(): object {
  const error = unprintableError();
  return Object.defineProperty({}, 'then', {
    get() {
      throw error;
    },
  });
}

/** An object that contains itself. */
export function cyclic(): object {
  const a: Record<string, unknown> = { name: 'cycle' };
  a['self'] = a;
  a['list'] = [a, a];
  return a;
}

// Built once: a fresh 1 MB string per run would make the suites slow for nothing.
const HUGE = 'x'.repeat(1_000_000);
const HUGE_CONTROL = '\u0000\u001b[31m\n'.repeat(100_000);

/** Numbers that are finite but absurd, or not finite at all. */
export const absurdNumber: fc.Arbitrary<number> = fc.constantFrom(
  1e308,
  -1e308,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  -Number.MIN_VALUE,
  Number.MAX_SAFE_INTEGER + 2,
  2 ** 31,
  1e13,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -0,
  -1,
);

/**
 * A value made when a property runs. fast-check reads properties of the values it generates (its
 * clone method), which a throwing Proxy would not survive: the suites generate makers and call
 * them inside the property. Printed by its label in a counterexample.
 */
export type Make = () => unknown;

/** A maker of `make()` printed as `label`. */
export function maker(label: string, make: () => unknown): Make {
  return Object.assign(make, { [fc.toStringMethod]: () => label });
}

/** Makers of plain values of `arbitrary` (as given). */
export function plain(arbitrary: fc.Arbitrary<unknown>): fc.Arbitrary<Make> {
  return arbitrary.map((value) => maker(fc.stringify(value).slice(0, 60), () => value));
}

/** Every kind of hostile value, for any argument or field, `keys` being the field names of the record it may stand for. */
export function hostile(keys: readonly string[] = []): fc.Arbitrary<Make> {
  return fc.oneof(
    fc.constant(maker('throwingProxy', () => throwingProxy())),
    fc.constant(maker('throwingProxy(callable)', () => throwingProxy(true))),
    fc.constant(maker('throwingGetters', () => throwingGetters(keys))),
    fc.constant(maker('throwingConversions', () => throwingConversions())),
    fc.constant(maker('throwingThen', () => throwingThen())),
    fc.constant(maker('unprintableError', () => unprintableError())),
    fc.constant(maker('cyclic', () => cyclic())),
    plain(absurdNumber),
    fc.constantFrom(
      maker('1 MB string', () => HUGE),
      maker('control characters', () => HUGE_CONTROL),
    ),
    plain(fc.constantFrom('', '_OTHER', '__proto__', 'constructor')),
    plain(fc.string({ maxLength: 40 })),
    plain(fc.constantFrom(Symbol('s'), Symbol.iterator, 10n ** 30n, -1n, null, undefined, true, false)),
    fc.constantFrom(
      maker('Object.create(null)', () => Object.create(null)),
      maker('[]', () => []),
      maker('[NaN]', () => [Number.NaN]),
      maker('new Map()', () => new Map()),
      maker('Invalid Date', () => new Date(Number.NaN)),
    ),
  );
}

/** A maker of a valid value of `arbitrary`, or of a hostile one. */
export function either(arbitrary: fc.Arbitrary<unknown>, keys: readonly string[] = []): fc.Arbitrary<Make> {
  return fc.oneof(plain(arbitrary), hostile(keys));
}

/**
 * A maker of a record of `fields` (name → the arbitrary of a valid value): each field valid,
 * hostile or absent; sometimes one field is a throwing getter, or the whole record a hostile value.
 */
export function hostileRecord(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Make> {
  const keys = Object.keys(fields);
  const entries = fc.record(
    Object.fromEntries(keys.map((key) => [key, either(fields[key]!, keys)])) as Record<string, fc.Arbitrary<Make>>,
    { requiredKeys: [] },
  );
  const shaped = fc.tuple(entries, fc.option(fc.constantFrom(...keys), { nil: undefined })).map(([makers, getter]) =>
    maker(`record(${Object.keys(makers).join(',')}${getter ? `; ${getter} throws` : ''})`, () => {
      const record: Record<string, unknown> = {};
      for (const [key, make] of Object.entries(makers)) if (make !== undefined) record[key] = make();
      if (getter !== undefined) {
        const error = unprintableError();
        Object.defineProperty(record, getter, {
          get() {
            throw error;
          },
          enumerable: true,
        });
      }
      return record;
    }),
  );
  return fc.oneof({ weight: 5, arbitrary: shaped }, { weight: 1, arbitrary: hostile(keys) });
}

/**
 * Throws unless `actual` is `expected` (Object.is). Not `expect().toBe()`: the matcher reads
 * properties of what it compares, which a throwing Proxy does not survive.
 */
export function expectSame(actual: unknown, expected: unknown, what: string): void {
  if (!Object.is(actual, expected)) throw new Error(`${what}: not the same value`);
}

/** `String(value)`, or a placeholder when even that throws. */
function safeText(value: unknown): string {
  try {
    return value instanceof Error ? `${value.name}: ${value.message}\n${value.stack ?? ''}` : String(value);
  } catch {
    try {
      return fc.stringify(value);
    } catch {
      return '(a value that cannot be printed)';
    }
  }
}

/**
 * Runs a property with the fixed seed and `numRuns`. A failure is rethrown as a plain Error with a
 * printable message: the hostile values themselves (or errors whose conversions throw) must not
 * reach the test runner, which would crash printing them.
 */
export async function checkHostile<Ts extends [unknown, ...unknown[]]>(
  property: fc.IProperty<Ts> | fc.IAsyncProperty<Ts>,
  numRuns: number,
): Promise<void> {
  // No shrinking: with megabyte strings it can run for minutes; the seed and path replay the failure.
  const details = await fc.check(property as fc.IAsyncProperty<Ts>, {
    seed: HOSTILE_SEED,
    // An integer: fast-check never ends a run count like 3333.33.
    numRuns: Math.round(numRuns),
    endOnFailure: true,
  });
  if (!details.failed) return;
  let example = '(unprintable)';
  try {
    example = fc.stringify(details.counterexample);
  } catch {
    // Keep the placeholder.
  }
  throw new Error(
    `property failed after ${details.numRuns} runs (seed ${details.seed}, path ${details.counterexamplePath}):\n` +
      `counterexample: ${example.slice(0, 2000)}\nerror: ${safeText(details.errorInstance).slice(0, 4000)}`,
  );
}

/** How a call ended: what it returned or threw, and, for a promise-like result, how that settled. */
export interface Outcome {
  threw: boolean;
  value: unknown;
  settled?: 'fulfilled' | 'rejected';
  settledWith?: unknown;
}

/** Calls `call` and, when it returns a native promise, waits for it. Never throws. */
export async function outcomeOf(call: () => unknown): Promise<Outcome> {
  let value: unknown;
  try {
    value = call();
  } catch (error) {
    return { threw: true, value: error };
  }
  let native = false;
  try {
    native = value instanceof Promise;
  } catch {
    // A Proxy whose getPrototypeOf trap throws is no promise.
  }
  if (!native) return { threw: false, value };
  try {
    return { threw: false, value, settled: 'fulfilled', settledWith: await value };
  } catch (error) {
    return { threw: false, value, settled: 'rejected', settledWith: error };
  }
}
