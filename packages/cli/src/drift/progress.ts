// A progress bar over bytes read, on a terminal only: nothing is written when stderr is not a TTY
// (pipes, CI logs, tests).
import cliProgress from 'cli-progress';
import type { CliIo } from '../io.js';

/** Progress of a long read: `update(bytes)` and `stop()`. */
export interface Progress {
  update(bytes: number): void;
  stop(): void;
}

const SILENT: Progress = { update: () => {}, stop: () => {} };

/** A bar to stderr when it is a TTY, else a no-op. */
export function progressBar(io: CliIo, total: number, label: string): Progress {
  if (!io.stderr.isTTY) return SILENT;
  const bar = new cliProgress.SingleBar(
    {
      stream: io.stderr as unknown as NodeJS.WritableStream,
      format: `${label} [{bar}] {percentage}% | {value}/{total} MB`,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;
  bar.start(mb(total), 0);
  let last = 0;
  return {
    update(bytes) {
      // Redrawing costs; at most once per 1 MB.
      if (bytes - last < 1 << 20) return;
      last = bytes;
      bar.update(mb(bytes));
    },
    stop() {
      bar.update(mb(total));
      bar.stop();
    },
  };
}
