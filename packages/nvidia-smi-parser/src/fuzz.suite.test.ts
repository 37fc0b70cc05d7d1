// Property-based fuzzing of every parser (fast-check). The only thing a parser may throw is
// NvidiaSmiError, and whatever it returns satisfies the record invariants: every number finite,
// bytes non-negative, ratios in 0..1. Inputs: mutations of the real captures (truncation, char
// flips, line swaps and duplications, random unicode inserted, deletions, tricky values put in
// place of real ones) and arbitrary strings.
//
// Generated inputs per run (numRuns below, fixed seed so a CI failure reproduces):
//   arbitrary strings, each through all 7 parsers  40 000
//   --query-gpu CSV mutations                      20 000
//   --query-compute-apps CSV mutations             10 000
//   -q -x XML mutations                             6 000
//   --help-query-gpu mutations                      4 000
//   -L mutations                                   10 000
//   plain table mutations                          10 000
//   argument types (any value as output/fields)     5 000
//   total                                         105 000
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { captureNames, captureSections, readFixture } from '../test/captures.js';
import {
  NvidiaSmiError,
  detectFailure,
  parseComputeAppsCsv,
  parseComputeAppsCsvPartial,
  parseHelpQueryGpu,
  parseList,
  parseQueryGpuCsv,
  parseQueryGpuCsvPartial,
  parseTable,
  parseXml,
} from './index.js';

const SEED = 20260706;
const REASONS = new Set([
  'driver-not-loaded',
  'driver-mismatch',
  'no-devices',
  'gpu-lost',
  'invalid-field',
  'malformed',
]);

/** Walks a parser result: finite numbers, non-negative bytes/counts, ratios in 0..1. */
function checkInvariants(value: unknown, key = ''): void {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${key}: not finite (${value})`);
    if (key.endsWith('Bytes') && value < 0) throw new Error(`${key}: negative bytes ${value}`);
    if ((key === 'fanSpeedRatio' || ['gpu', 'memory', 'encoder', 'decoder'].includes(key)) && (value < 0 || value > 1))
      throw new Error(`${key}: ratio ${value}`);
    if (
      ['index', 'pid', 'gpuInstanceId', 'computeInstanceId', 'multiprocessorCount', 'minorNumber'].includes(key) &&
      !(Number.isInteger(value) && value >= 0)
    )
      throw new Error(`${key}: bad integer ${value}`);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) checkInvariants(v, key);
    return;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value))
      checkInvariants(v, key === 'utilization' ? k : k === 'gpu' || k === 'memory' ? `${k}Object` : k);
  }
}

/** Runs a parser: returns normally with valid records, or throws NvidiaSmiError with a known reason. */
function holds(parse: () => unknown): boolean {
  try {
    checkInvariants(parse());
  } catch (err) {
    if (!(err instanceof NvidiaSmiError)) throw err;
    if (!REASONS.has(err.reason) || typeof err.message !== 'string' || typeof err.output !== 'string')
      throw new Error(`bad NvidiaSmiError ${err.reason}`);
  }
  return true;
}

const TRICKY = [
  'N/A',
  '[N/A]',
  'ERR!',
  'ERR%',
  '-1 MiB',
  '1e309',
  '99999999999999999999999999999 MiB',
  '',
  '150 %',
  'NaN',
  'Infinity',
  '0x1F',
  '12.5.3 W',
  '[Unknown Error]',
  ' , ',
  '</gpu>',
  '<gpu>',
  '&amp;',
  '&#xD800;',
  '"',
  '|',
  '+---+',
  'GPU 0:',
];

type Op =
  | { k: 'truncate'; at: number }
  | { k: 'flip'; at: number; ch: string }
  | { k: 'swap'; a: number; b: number }
  | { k: 'dup'; at: number }
  | { k: 'insert'; at: number; s: string }
  | { k: 'delete'; at: number; n: number }
  | { k: 'value'; nth: number; v: string };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ k: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    k: fc.constant('flip' as const),
    at: fc.nat(),
    ch: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  }),
  fc.record({ k: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ k: fc.constant('dup' as const), at: fc.nat() }),
  fc.record({ k: fc.constant('insert' as const), at: fc.nat(), s: fc.string({ unit: 'binary', maxLength: 24 }) }),
  fc.record({ k: fc.constant('delete' as const), at: fc.nat(), n: fc.nat({ max: 400 }) }),
  fc.record({
    k: fc.constant('value' as const),
    nth: fc.nat(),
    v: fc.oneof(fc.constantFrom(...TRICKY), fc.string({ maxLength: 12 })),
  }),
);

function apply(text: string, ops: Op[]): string {
  let t = text;
  for (const o of ops) {
    const len = Math.max(t.length, 1);
    switch (o.k) {
      case 'truncate':
        t = t.slice(0, o.at % len);
        break;
      case 'flip': {
        const i = o.at % len;
        t = t.slice(0, i) + o.ch + t.slice(i + 1);
        break;
      }
      case 'insert': {
        const i = o.at % len;
        t = t.slice(0, i) + o.s + t.slice(i);
        break;
      }
      case 'delete': {
        const i = o.at % len;
        t = t.slice(0, i) + t.slice(i + o.n);
        break;
      }
      case 'swap':
      case 'dup': {
        const lines = t.split('\n');
        if (o.k === 'swap') {
          const a = o.a % lines.length;
          const b = o.b % lines.length;
          [lines[a], lines[b]] = [lines[b]!, lines[a]!];
        } else {
          const i = o.at % lines.length;
          lines.splice(i, 0, lines[i]!);
        }
        t = lines.join('\n');
        break;
      }
      case 'value': {
        // Replace the nth value: XML text between tags, or a CSV cell.
        const re = />([^<>\n]*)</g.test(t) ? />([^<>\n]*)</g : /(?<=^|, )([^,\n]*)/gm;
        const matches = [...t.matchAll(re)];
        const m = matches.length > 0 ? matches[o.nth % matches.length] : undefined;
        if (m && m.index !== undefined) {
          const start = m.index + m[0].indexOf(m[1] ?? '');
          t = t.slice(0, start) + o.v + t.slice(start + (m[1] ?? '').length);
        }
        break;
      }
    }
  }
  return t;
}

const multi = captureNames()
  .filter((n) => n.startsWith('capture-multi-'))
  .flatMap((n) => captureSections(readFixture(n)));
const queryGpu = [
  ...multi.filter((s) => s.args[0]?.startsWith('--query-gpu=')).map((s) => s.output),
  readFixture('csv-nounits-tesla-p100-driver510.csv'),
  readFixture('csv-win-rtx2080super-driver471-allfields.csv'),
  readFixture('synthetic/csv-noheader-nounits-2xtesla-p100.csv'),
];
const computeApps = multi
  .filter((s) => s.args[0]?.startsWith('--query-compute-apps=') && s.output.split('\n').length > 2)
  .map((s) => s.output);
const helps = multi.filter((s) => s.args[0] === '--help-query-gpu').map((s) => s.output);
const lists = [
  ...multi.filter((s) => s.args[0] === '-L' || s.args[0] === '--list-gpus').map((s) => s.output),
  readFixture('list-L-8xH100-mig-56instances.txt'),
  readFixture('list-L-8xRTX2080Ti.txt'),
];
const tables = [
  ...multi.filter((s) => s.command.trim() === 'nvidia-smi').map((s) => s.output),
  readFixture('table-8xRTX2080Ti-processes-fanERR-driver418.txt'),
];
// The XML runs take the small captures; the 94 KB one costs ~4 ms a parse (see the benchmark).
const xmls = captureNames()
  .filter((n) => n.startsWith('xml-') && readFixture(n).length < 50_000)
  .map(readFixture);
const P100_FIELDS =
  'name,uuid,fan.speed,pstate,memory.reserved,memory.used,memory.free,utilization.gpu,utilization.memory,temperature.gpu,power.draw,clocks.current.graphics,clocks.current.sm,clocks.current.memory,clocks.current.video'.split(
    ',',
  );

const mutated = (bases: string[]): fc.Arbitrary<string> =>
  fc
    .tuple(fc.constantFrom(...bases), fc.array(op, { minLength: 1, maxLength: 4 }))
    .map(([base, ops]) => apply(base, ops));

describe('fuzzing: no untyped throw, records keep their invariants', { timeout: 60_000 }, () => {
  it('the mutation corpora are not empty', () => {
    expect(
      [queryGpu.length, computeApps.length, helps.length, lists.length, tables.length, xmls.length].every((n) => n > 0),
    ).toBe(true);
    expect(apply('a, b\nc, d\n', [{ k: 'value', nth: 1, v: 'X' }])).toBe('a, X\nc, d\n');
  });

  it('arbitrary strings through every parser', () => {
    const input = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.string({ unit: fc.constantFrom(...'<>/ ,|+-=\n[]%0123456789GPUMIiBWNA'.split('')), maxLength: 300 }),
    );
    fc.assert(
      fc.property(
        input,
        (s) =>
          [
            () => parseQueryGpuCsv(s),
            () => parseQueryGpuCsv(s, P100_FIELDS),
            () => parseComputeAppsCsv(s),
            () => parseXml(s),
            () => parseHelpQueryGpu(s),
            () => parseList(s),
            () => parseTable(s),
          ].every(holds) &&
          (detectFailure(s) === undefined || detectFailure(s) instanceof NvidiaSmiError),
      ),
      { numRuns: 40_000, seed: SEED },
    );
  });

  it('--query-gpu CSV mutations (strict and partial)', () => {
    fc.assert(
      // parseQueryGpuCsv is parseQueryGpuCsvPartial plus a throw, so the partial run covers it without fields.
      fc.property(
        mutated(queryGpu),
        (s) => holds(() => parseQueryGpuCsvPartial(s)) && holds(() => parseQueryGpuCsv(s, P100_FIELDS)),
      ),
      { numRuns: 20_000, seed: SEED },
    );
  });

  it('--query-compute-apps CSV mutations', () => {
    fc.assert(
      fc.property(mutated(computeApps), (s) => holds(() => parseComputeAppsCsv(s))),
      { numRuns: 10_000, seed: SEED },
    );
  });

  it('-q -x XML mutations', () => {
    fc.assert(
      fc.property(mutated(xmls), (s) => holds(() => parseXml(s))),
      { numRuns: 6_000, seed: SEED },
    );
  });

  it('--help-query-gpu mutations', () => {
    fc.assert(
      fc.property(mutated(helps), (s) => holds(() => parseHelpQueryGpu(s))),
      { numRuns: 4_000, seed: SEED },
    );
  });

  it('-L mutations', () => {
    fc.assert(
      fc.property(mutated(lists), (s) => holds(() => parseList(s))),
      { numRuns: 10_000, seed: SEED },
    );
  });

  it('plain table mutations', () => {
    fc.assert(
      fc.property(mutated(tables), (s) => holds(() => parseTable(s))),
      { numRuns: 10_000, seed: SEED },
    );
  });

  it('argument types: any value as the output or the field list (Partial parsers never throw)', () => {
    // Values whose mere inspection throws: what String(), a getter or a Proxy trap would run.
    // (A revoked Proxy is in csv.test.ts: fast-check itself cannot carry one, it probes values
    // with `in`.)
    const hostile = fc.constantFrom<unknown>(
      {
        toString: () => {
          throw new Error('toString');
        },
      },
      {
        [Symbol.toPrimitive]: () => {
          throw new Error('toPrimitive');
        },
      },
      Object.defineProperty(['index'], 0, {
        get: () => {
          throw new Error('getter');
        },
      }),
      new Proxy(['index', 'name'], {
        get: () => {
          throw new Error('proxy get');
        },
      }),
      Symbol('s'),
      Buffer.from('index, name\n0, A\n'),
      Object.create(null),
    );
    const value = fc.oneof(
      fc.anything(),
      hostile,
      fc.array(fc.oneof(fc.string(), fc.anything(), hostile), { maxLength: 4 }),
    );
    const text = fc.oneof(value, fc.constant('index, name\n0, A\n'), fc.constant(queryGpu[0]!));
    const partialNeverThrows = (r: () => { items: unknown[]; failures: NvidiaSmiError[] }): boolean => {
      const result = r();
      checkInvariants(result.items);
      return result.failures.every(
        (f) => f instanceof NvidiaSmiError && REASONS.has(f.reason) && typeof f.output === 'string',
      );
    };
    fc.assert(
      fc.property(
        text,
        fc.oneof(fc.constant(undefined), value, fc.constant(P100_FIELDS)),
        (t, f) =>
          partialNeverThrows(() => parseQueryGpuCsvPartial(t as string, f as string[])) &&
          partialNeverThrows(() => parseComputeAppsCsvPartial(t as string, f as string[])) &&
          [
            () => parseQueryGpuCsv(t as string, f as string[]),
            () => parseComputeAppsCsv(t as string, f as string[]),
            () => parseXml(t as string),
            () => parseHelpQueryGpu(t as string),
            () => parseList(t as string),
            () => parseTable(t as string),
          ].every(holds) &&
          (detectFailure(t as string) === undefined || detectFailure(t as string) instanceof NvidiaSmiError),
      ),
      { numRuns: 5_000, seed: SEED },
    );
  });
});
