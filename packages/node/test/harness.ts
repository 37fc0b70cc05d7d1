// Shared harness of the @mltel/node unit tests: a real MeterProvider with a manual reader,
// collection helpers, a diag logger that captures warnings, and temp directories.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_ML_BUDGET_NAME,
  ATTR_ML_BUDGET_WINDOW,
  ATTR_ML_TASK_NAME,
} from '@mltel/semconv';
import { sdkHarness } from '@mltel/test-kit';

/** Sort key order: provider, operation, model, task, budget name and window, then the rest. */
const ORDER = [
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_ML_TASK_NAME,
  ATTR_ML_BUDGET_NAME,
  ATTR_ML_BUDGET_WINDOW,
];

export type { HistogramPoint, SumPoint } from '@mltel/test-kit';
export const { TestReader, Collection, attributeKey, collect, captureDiag, sdkProvider } = sdkHarness(ORDER);
export type TestReader = InstanceType<typeof TestReader>;
export type Collection = InstanceType<typeof Collection>;

/** A fresh temporary directory and the function that removes it. */
export function tempDir(prefix = 'mltel-node-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Lets pending promise callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
