// Shared harness of the @mltel/host-metrics-gpu tests: a real MeterProvider with a manual reader,
// and the fake nvidia-smi (test/fixtures/fake-nvidia-smi) replaying the real captures of
// packages/nvidia-smi-parser/test/fixtures, with a log of every start and end.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ATTR_ERROR_TYPE, ATTR_HW_GPU_TASK, ATTR_HW_ID } from '@mltel/semconv';
import { sdkHarness } from '@mltel/test-kit';

export type { HistogramPoint, SumPoint } from '@mltel/test-kit';
export const { Collection, TestReader, collect, captureDiag, sdkProvider } = sdkHarness([
  ATTR_HW_ID,
  ATTR_HW_GPU_TASK,
  ATTR_ERROR_TYPE,
]);

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The folder holding the fake `nvidia-smi`. */
export const FAKE_DIR = join(ROOT, 'test/fixtures/fake-nvidia-smi');
/** The fake itself. */
export const FAKE = join(FAKE_DIR, 'nvidia-smi');
/** A capture of the parser package's fixtures. */
export const fixture = (name: string): string => join(ROOT, 'packages/nvidia-smi-parser/test/fixtures', name);

/** One line of the fake's log. */
export interface FakeEvent {
  event: 'start' | 'end';
  pid: number;
  args: string[];
  overlap?: boolean;
  code?: number;
}

/** An environment that puts the fake first on PATH, with a fresh log; `vars` set its mode. */
export function fakeEnv(vars: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'mltel-gpu-'));
  const log = join(dir, 'fake.log');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${FAKE_DIR}:${process.env.PATH ?? ''}`,
    FAKE_NVIDIA_SMI_LOG: log,
    ...vars,
  };
  const events = (): FakeEvent[] =>
    existsSync(log)
      ? readFileSync(log, 'utf8')
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as FakeEvent)
      : [];
  /** Children started, by their first argument (`--help-query-gpu`, `-L`, `--query-gpu=…`, `-q`). */
  const starts = (): FakeEvent[] => events().filter((e) => e.event === 'start');
  return { env, log, events, starts };
}

/** True while a process with this pid exists (a zombie included). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const MiB = 1048576;
export type Collection = InstanceType<typeof Collection>;
export type TestReader = InstanceType<typeof TestReader>;
