// Shared harness of the @mltel/instrumentation-messaging unit tests: a messaging meter and a task
// meter on a real MeterProvider with a manual reader, and patching a module's files by hand as the
// require hook would.
import { createTaskMeter } from '@mltel/tasks';
import { sdkHarness } from '@mltel/test-kit';
import type { InstrumentationBase, InstrumentationModuleDefinition } from '@opentelemetry/instrumentation';
import { onTestFinished } from 'vitest';
import { MessagingMeter } from '../src/messaging-meter.js';
import type { MessagingMeterOptions } from '../src/messaging-meter.js';

const ORDER = [
  'messaging.system',
  'messaging.operation.name',
  'messaging.destination.name',
  'error.type',
  'ml.task.name',
  'ml.task.status',
];

export type { HistogramPoint, SumPoint } from '@mltel/test-kit';
export const { Collection, collect, captureDiag, sdkProvider } = sdkHarness(ORDER);

/** A messaging meter and a task meter on a real SDK provider. */
export function setup(options: Omit<MessagingMeterOptions, 'meterProvider'> = {}) {
  const sdk = sdkProvider();
  const meter = new MessagingMeter({ ...options, meterProvider: sdk.provider });
  const taskMeter = createTaskMeter({ meterProvider: sdk.provider });
  return { ...sdk, meter, taskMeter };
}

/**
 * Patches the files `exports` (by file name, as in the module definition) with an instrumentation's
 * patch functions, as its require hook would, and unpatches them when the test ends.
 */
export function patchFiles(instrumentation: InstrumentationBase, exportsByFile: Record<string, unknown>): void {
  const [definition] = instrumentation.getModuleDefinitions() as InstrumentationModuleDefinition[];
  for (const file of definition!.files) {
    const exports = exportsByFile[file.name];
    if (exports === undefined) continue;
    file.patch(exports);
    onTestFinished(() => file.unpatch(exports));
  }
}

/** The points of `name` as `[attributes, value]` pairs. */
export function pairs(
  points: { attributes: Record<string, unknown>; value: number }[],
): [Record<string, unknown>, number][] {
  return points.map((p) => [p.attributes, p.value]);
}
