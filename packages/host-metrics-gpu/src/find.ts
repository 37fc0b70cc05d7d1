// Where nvidia-smi is: a PATH lookup without running anything (the register entry uses it to
// decide whether to turn the plugin on; `mltel gpu` to say exactly where it looked).
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

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
