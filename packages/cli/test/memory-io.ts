// A CliIo over in-memory streams, so a test runs `mltel` in-process and reads what it wrote.
import { PassThrough, Writable } from 'node:stream';
import type { CliIo } from '../src/io.js';

/** In-memory stdout and stderr (a terminal when `tty`), with what was written to each. */
export function memoryIo(cwd: string, { tty = false, env = {} }: { tty?: boolean; env?: NodeJS.ProcessEnv } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) =>
    Object.assign(
      new Writable({
        write(chunk, _enc, done) {
          into.push(String(chunk));
          done();
        },
      }),
      { isTTY: tty, columns: 100 },
    );
  const io: CliIo = { stdout: sink(out), stderr: sink(err), stdin: new PassThrough(), env, cwd };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}
