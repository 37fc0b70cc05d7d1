// Small helpers shared by the parser tests: units, the Tesla P100 field list of the synthetic
// noheader captures, and assertions on what a parser throws.
import { expect } from 'vitest';
import { NvidiaSmiError } from '../src/errors.js';
import { type CaptureSection, captureSections, readFixture } from './captures.js';

/** `n` MiB in bytes. */
export const MiB = (n: number): number => n * 1048576;
/** `n` MHz in hertz. */
export const MHz = (n: number): number => n * 1e6;
/** The UUID the nvidia_gpu_exporter captures were anonymised to. */
export const ZERO_UUID = 'GPU-00000000-0000-0000-0000-000000000000';

/** The fields of the Tesla P100 CSV captures, in their column order (for `noheader` output). */
export const P100_FIELDS =
  'name,uuid,fan.speed,pstate,memory.reserved,memory.used,memory.free,utilization.gpu,utilization.memory,temperature.gpu,power.draw,clocks.current.graphics,clocks.current.sm,clocks.current.memory,clocks.current.video'.split(
    ',',
  );

/** The NvidiaSmiError `fn` throws (fails the test when it throws anything else, or nothing). */
export function thrown(fn: () => unknown): NvidiaSmiError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(NvidiaSmiError);
    return err as NvidiaSmiError;
  }
  throw new Error('expected a throw');
}

/** The section of a multi-section capture with this exact title. */
export function section(file: string, title: string): CaptureSection {
  const s = captureSections(readFixture(file)).find((x) => x.title === title);
  if (!s) throw new Error(`${file}: no section "${title}"`);
  return s;
}

/** The only item (fails the test when there are more or none). */
export function one<T>(items: T[]): T {
  expect(items).toHaveLength(1);
  return items[0]!;
}
