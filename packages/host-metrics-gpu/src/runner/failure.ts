// Turning a finished run into a typed failure reason, with the original text for people.
import { detectFailure } from '@mltel/nvidia-smi-parser';
import type { CollectionFailure, CollectionFailureReason } from '../types.js';
import type { ProcessOutcome } from './spawn.js';

/** A failure record without timing (filled in by the runner). */
export type Failure = Omit<CollectionFailure, 'durationSeconds' | 'run'>;

function firstLines(text: string): string {
  const lines = text
    .trim()
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  const head = lines.slice(0, 3).join(' / ');
  return head.length > 300 ? `${head.slice(0, 300)}…` : head;
}

/** The failure a run shows, or undefined when it exited 0 with no known failure text. */
export function failureOf(outcome: ProcessOutcome, path: string, timeoutMs: number): Failure | undefined {
  const { exitCode } = outcome;
  if (outcome.spawnError !== undefined) {
    const code = outcome.spawnError.code;
    const reason: CollectionFailureReason = code === 'ENOENT' ? 'not-found' : 'spawn-error';
    return {
      ok: false,
      reason,
      message:
        reason === 'not-found'
          ? `${path} was not found`
          : `${path} cannot be run (${code ?? outcome.spawnError.message})`,
      exitCode: 127,
    };
  }
  if (outcome.timedOut) {
    return {
      ok: false,
      reason: 'timeout',
      message: `${path} did not finish within ${timeoutMs} ms and was killed`,
      exitCode,
    };
  }
  // nvidia-smi prints its errors on stdout, with a non-zero exit (or, for a GPU lost mid-run,
  // in the middle of otherwise good output).
  const output = `${outcome.stdout}${outcome.stderr}`;
  const known = detectFailure(output);
  if (known !== undefined) {
    return {
      ok: false,
      reason: known.reason as CollectionFailureReason,
      message: `${known.message}: "${firstLines(output)}"`,
      output,
      exitCode,
    };
  }
  if (exitCode !== 0) {
    return {
      ok: false,
      reason: 'exit-code',
      message: `${path} exited with code ${exitCode}${output.trim() === '' ? '' : `: "${firstLines(output)}"`}`,
      output,
      exitCode,
    };
  }
  return undefined;
}

/** A parse that failed: the parser's typed reason, or `malformed`. */
export function parseFailure(error: unknown, output: string, exitCode: number | undefined, what: string): Failure {
  const reason = (error as { reason?: string }).reason;
  const known: CollectionFailureReason[] = [
    'driver-not-loaded',
    'driver-mismatch',
    'no-devices',
    'gpu-lost',
    'invalid-field',
    'malformed',
  ];
  return {
    ok: false,
    reason: known.includes(reason as CollectionFailureReason) ? (reason as CollectionFailureReason) : 'malformed',
    message: `nvidia-smi ${what} output could not be read (${error instanceof Error ? error.message : String(error)}): "${firstLines(output)}"`,
    output,
    exitCode,
  };
}
