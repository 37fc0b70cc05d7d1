// What a subcommand reads and writes, so tests can run commands in-process and read the output;
// and `printable`, which every command uses for text it did not write itself (file contents,
// nvidia-smi output, parser messages quoting the input) before echoing it to a terminal.
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

/** The most of a foreign text `printable` keeps by default: 4 KiB. */
export const MAX_ECHO_CHARS = 4096;

// C0 controls but newline and tab, DEL, C1 controls, and the Unicode line/paragraph separators
// and bidi overrides that can make a terminal show something else than what is there.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const escaped = (c: string): string => {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/**
 * A foreign text made safe to echo: at most `max` characters of it (then "… N more bytes"), with
 * control characters written as `\xNN` (so an escape sequence cannot drive the terminal, and a
 * NUL or a bell shows as what it is). Newlines and tabs are kept.
 */
export function printable(text: string, max: number = MAX_ECHO_CHARS): string {
  const kept = text.length > max ? text.slice(0, max) : text;
  const safe = kept.replace(UNPRINTABLE, escaped);
  if (kept.length === text.length) return safe;
  const rest = Buffer.byteLength(text) - Buffer.byteLength(kept);
  return `${safe}… ${rest} more bytes`;
}
