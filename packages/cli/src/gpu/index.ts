import type { CliIo } from '../io.js';

/** `mltel gpu` (issue 6). */
export async function gpu(_args: string[], io: CliIo): Promise<number> {
  io.stderr.write('mltel gpu: not built yet\n');
  return 2;
}
