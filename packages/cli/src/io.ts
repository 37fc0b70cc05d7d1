// What a subcommand reads and writes, so tests can run commands in-process and read the output.
import type { Readable, Writable } from 'node:stream';

/** The streams, environment and working directory a command uses. */
export interface CliIo {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  stdin: Readable;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** A subcommand: gets the arguments after its name, returns the process exit code. */
export type Command = (args: string[], io: CliIo) => Promise<number>;

/** The real process streams. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
}
