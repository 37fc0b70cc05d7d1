import type { CliIo } from '../io.js';

/** `mltel drift <profile|compare> …` (issue 5). */
export async function drift(_args: string[], io: CliIo): Promise<number> {
  io.stderr.write('mltel drift: not built yet\n');
  return 2;
}
