// One bounded child process: a timeout that escalates SIGTERM → SIGKILL, output capped, and a
// result only once the child has exited (reaped), so no zombie outlives a run.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/** How a run ended. */
export interface ProcessOutcome {
  stdout: string;
  stderr: string;
  /** Exit code; for a child killed by a signal, 128 + the signal number (the shell convention). */
  exitCode: number | undefined;
  /** True when the run was killed for taking longer than the timeout. */
  timedOut: boolean;
  /** Set when the child could not be started (`ENOENT`, `EACCES`, …). */
  spawnError?: NodeJS.ErrnoException;
  /** The child's pid (tests check that it is gone). */
  pid: number | undefined;
}

/** Limits and environment of one {@link runProcess} run. */
export interface RunOptions {
  timeoutMs: number;
  killGraceMs: number;
  env: NodeJS.ProcessEnv;
  /** Cap on captured stdout; the rest is dropped (a sane `-q -x` of 8 GPUs is well under 4 MiB). */
  maxOutputBytes?: number;
}

const DEFAULT_MAX_OUTPUT = 32 * 1024 * 1024;

/** Runs `file args` to completion (or kill). Never rejects. */
export function runProcess(file: string, args: readonly string[], options: RunOptions): Promise<ProcessOutcome> {
  return new Promise((resolve) => {
    const max = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let timedOut = false;
    let settled = false;
    let graceTimer: NodeJS.Timeout | undefined;
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env, windowsHide: true });
    } catch (error) {
      resolve({
        stdout: '',
        stderr: '',
        exitCode: undefined,
        timedOut: false,
        spawnError: error as NodeJS.ErrnoException,
        pid: undefined,
      });
      return;
    }
    const finish = (outcome: Omit<ProcessOutcome, 'stdout' | 'stderr' | 'timedOut' | 'pid'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(graceTimer);
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        pid: child.pid,
        ...outcome,
      });
    };
    child.stdout!.on('data', (chunk: Buffer) => {
      if (outBytes < max) out.push(chunk);
      outBytes += chunk.length;
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      if (errBytes < 65536) err.push(chunk);
      errBytes += chunk.length;
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      // Spawn failures arrive here with no exit; a kill failure after start is ignored.
      if (child.pid === undefined) finish({ exitCode: undefined, spawnError: error });
    });
    child.once('exit', () => {
      // A grandchild may hold the pipes open after the child died: stop waiting for them.
      if (timedOut) {
        child.stdout!.destroy();
        child.stderr!.destroy();
      }
    });
    // 'close' comes after the exit (the child is reaped) and after its output was read.
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      finish({ exitCode: code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : undefined) });
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      graceTimer = setTimeout(() => child.kill('SIGKILL'), options.killGraceMs);
    }, options.timeoutMs);
  });
}
