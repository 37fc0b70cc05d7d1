// Loop mode: one long-running `nvidia-smi --query-gpu=… --format=csv,noheader,nounits -l N`
// whose latest sample each collection uses, for hosts where one run takes seconds. The child is
// restarted with backoff (1 s doubling to 60 s, reset by a good sample) when it dies.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { ChildProcess } from 'node:child_process';
import { detectFailure, parseQueryGpuCsv } from '@mltel/nvidia-smi-parser';
import type { GpuReading } from '@mltel/nvidia-smi-parser';
import { failureOf } from './failure.js';
import type { Failure } from './failure.js';

/** What {@link LoopSampler} runs and where it reports the failures of its child. */
export interface LoopOptions {
  path: string;
  fields: string[];
  intervalSeconds: number;
  env: NodeJS.ProcessEnv;
  killGraceMs: number;
  onFailure: (failure: Failure) => void;
}

const MAX_BACKOFF_MS = 60_000;

/** Keeps one `-l` child running and remembers the latest row of each GPU. */
export class LoopSampler {
  private child: ChildProcess | undefined;
  private readonly rows = new Map<string, { reading: GpuReading; at: number }>();
  private buffer = '';
  private stderr = '';
  private backoffMs = 1000;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private exitCode: number | undefined;
  private failure: Failure | undefined;
  private started = 0;
  private waiters: Array<() => void> = [];

  constructor(private readonly options: LoopOptions) {
    this.start();
  }

  /** The latest row of each GPU seen within the last three intervals; undefined when none. */
  latest(): GpuReading[] | undefined {
    const fresh = Date.now() - 3 * this.options.intervalSeconds * 1000;
    const readings = [...this.rows.values()].filter((r) => r.at >= fresh).map((r) => r.reading);
    return readings.length === 0 ? undefined : readings.sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  }

  /** Waits (at most `timeoutMs`) for the next sample line. */
  nextSample(timeoutMs: number): Promise<GpuReading[] | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done(this: void): void {
        clearTimeout(timer);
        resolve(undefined);
      }
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(this.latest());
      });
    });
  }

  /** The failure since the last good sample, if any. */
  lastFailure(): Failure | undefined {
    return this.failure;
  }

  /** Exit code of the last child that ended (127 when it could not start). */
  lastExitCode(): number | undefined {
    return this.exitCode;
  }

  /** Children started so far. */
  spawns(): number {
    return this.started;
  }

  /** Kills the child (SIGTERM, then SIGKILL after the grace) and stops restarting. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), this.options.killGraceMs);
    kill.unref();
    child.once('exit', () => clearTimeout(kill));
  }

  private start(): void {
    if (this.stopped) return;
    this.started++;
    this.buffer = '';
    this.stderr = '';
    const args = [
      `--query-gpu=${this.options.fields.join(',')}`,
      '--format=csv,noheader,nounits',
      '-l',
      String(this.options.intervalSeconds),
    ];
    let child: ChildProcess;
    try {
      child = spawn(this.options.path, args, {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: this.options.env,
        windowsHide: true,
      });
    } catch (error) {
      this.died({
        stdout: '',
        stderr: '',
        exitCode: undefined,
        timedOut: false,
        spawnError: error as NodeJS.ErrnoException,
        pid: undefined,
      });
      return;
    }
    this.child = child;
    // The loop must not keep the application alive on its own.
    child.unref();
    for (const stream of [child.stdout, child.stderr]) (stream as unknown as { unref?: () => void }).unref?.();
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => this.onData(chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      if (this.stderr.length < 65536) this.stderr += chunk;
    });
    let spawnError: NodeJS.ErrnoException | undefined;
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (child.pid === undefined) spawnError = error;
    });
    child.once('close', (code, signal) => {
      this.child = undefined;
      const exitCode = code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : undefined);
      this.died({ stdout: this.buffer, stderr: this.stderr, exitCode, timedOut: false, spawnError, pid: child.pid });
    });
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    for (let newline = this.buffer.indexOf('\n'); newline >= 0; newline = this.buffer.indexOf('\n')) {
      const line = this.buffer.slice(0, newline).trim();
      this.buffer = this.buffer.slice(newline + 1);
      if (line === '') continue;
      const known = detectFailure(line);
      if (known !== undefined) {
        this.record({ ok: false, reason: known.reason, message: known.message, output: line, exitCode: undefined });
        continue;
      }
      try {
        for (const reading of parseQueryGpuCsv(line, this.options.fields)) {
          this.rows.set(reading.uuid ?? `#${reading.index ?? 0}`, { reading, at: Date.now() });
        }
        this.backoffMs = 1000;
        this.failure = undefined;
        for (const wake of this.waiters.splice(0)) wake();
      } catch (error) {
        this.record({
          ok: false,
          reason: 'malformed',
          message: `unreadable nvidia-smi loop line (${error instanceof Error ? error.message : String(error)})`,
          output: line,
          exitCode: undefined,
        });
      }
    }
    if (this.buffer.length > 1 << 20) this.buffer = '';
  }

  private record(failure: Failure): void {
    this.failure = failure;
    this.options.onFailure(failure);
  }

  private died(outcome: Parameters<typeof failureOf>[0]): void {
    this.exitCode = outcome.spawnError ? 127 : outcome.exitCode;
    if (this.stopped) return;
    const failure = failureOf(outcome, this.options.path, 0) ?? {
      ok: false as const,
      reason: 'exit-code' as const,
      message: `the nvidia-smi loop exited (code ${outcome.exitCode})`,
      exitCode: outcome.exitCode,
    };
    this.record(failure);
    this.restartTimer = setTimeout(() => this.start(), this.backoffMs);
    this.restartTimer.unref();
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
  }
}
