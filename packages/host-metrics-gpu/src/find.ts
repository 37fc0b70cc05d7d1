// Where nvidia-smi is: a PATH lookup without running anything (the register entry uses it to
// decide whether to turn the plugin on; `mltel gpu` to say exactly where it looked). Also the
// subpath `@mltel/host-metrics-gpu/find`, which loads nothing else: the register entry looks for
// nvidia-smi without loading the plugin and its XML parser on hosts without a GPU.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import type { GpuHostMetricsConfig } from './types.js';

/** Defaults of {@link GpuHostMetricsConfig} (here, so that they load without the plugin). */
export const GPU_DEFAULTS = { nvidiaSmiPath: 'nvidia-smi', timeoutMs: 10_000, killGraceMs: 1000 } as const;

/** The executable `command` resolves to on `pathValue` (or the path itself), or undefined. */
export function findExecutable(command: string, pathValue: string | undefined): string | undefined {
  const candidates =
    command.includes('/') || isAbsolute(command)
      ? [command]
      : (pathValue ?? '')
          .split(delimiter)
          .filter((dir) => dir !== '')
          .map((dir) => join(dir, command));
  for (const candidate of candidates) {
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
