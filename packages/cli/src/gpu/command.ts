// `mltel gpu`: what the GPU plugin sees on this host, one row per GPU and MIG instance, or the
// exact reason it sees nothing. It runs the plugin's own runner (same negotiation, same parser),
// so what it prints is what the metrics report.
import { parseArgs } from 'node:util';
import { findExecutable, GPU_DEFAULTS, GpuHostMetrics } from '@mltel/host-metrics-gpu';
import type { CollectionResult, GpuQuerySource } from '@mltel/host-metrics-gpu';
import type { CliIo } from '../io.js';
import { MAX_ECHO_CHARS, printable } from '../io.js';
import { renderTable } from './table.js';

/** Exit codes of `mltel gpu`. */
export const GPU_EXIT = {
  /** At least one GPU was read. */
  ok: 0,
  /** nvidia-smi ran but gave no GPU: driver not loaded, no devices, timeout, unreadable output… */
  failed: 1,
  /** Bad options. */
  usage: 2,
  /** nvidia-smi was not found (on PATH, or at --nvidia-smi / MLTEL_NVIDIA_SMI). */
  notFound: 3,
} as const;

/** The longest --timeout (10 minutes): past it a run is not a probe, and timers overflow at 2^31 ms. */
export const GPU_MAX_TIMEOUT_MS = 600_000;

const HELP = `Usage: mltel gpu [options]

Shows what the mltel GPU plugin sees on this host: one row per GPU and MIG instance (index, UUID,
name, memory used/total, utilisation, power, temperature), or the exact reason it sees nothing.

Options:
  --nvidia-smi <path>   nvidia-smi to run (default: $MLTEL_NVIDIA_SMI, else nvidia-smi on PATH)
  --timeout <ms>        kill nvidia-smi after this long, 1 to ${GPU_MAX_TIMEOUT_MS} (default ${GPU_DEFAULTS.timeoutMs})
  --source <s>          auto (default), csv (--query-gpu) or xml (-q -x)
  --json                print the result as JSON
  -h, --help            this help

Exit codes: 0 GPUs shown; 1 nvidia-smi failed or showed no GPU (reason printed);
            2 bad options; 3 nvidia-smi not found.

Of nvidia-smi's output, at most the first ${MAX_ECHO_CHARS / 1024} KiB is echoed, control characters escaped.
`;

const SOURCES: readonly string[] = ['auto', 'csv', 'xml'];

/** `mltel gpu` (issue 6). */
export async function gpu(args: string[], io: CliIo): Promise<number> {
  let values: { 'nvidia-smi'?: string; timeout?: string; source?: string; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        'nvidia-smi': { type: 'string' },
        timeout: { type: 'string' },
        source: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    io.stderr.write(`mltel gpu: ${error instanceof Error ? error.message : String(error)}\n\n${HELP}`);
    return GPU_EXIT.usage;
  }
  if (values.help) {
    io.stdout.write(HELP);
    return GPU_EXIT.ok;
  }
  // Digits only: Number() would also take "1e3", "0x10" or " 5"; and a value past 2^31 - 1 ms
  // makes Node's timer fire at once (TimeoutOverflowWarning), so the range is checked here.
  const timeoutMs = values.timeout === undefined ? GPU_DEFAULTS.timeoutMs : Number(values.timeout);
  if (
    (values.timeout !== undefined && !/^\d{1,7}$/.test(values.timeout)) ||
    timeoutMs < 1 ||
    timeoutMs > GPU_MAX_TIMEOUT_MS
  ) {
    io.stderr.write(
      `mltel gpu: --timeout must be a whole number of milliseconds from 1 to ${GPU_MAX_TIMEOUT_MS}, got "${printable(values.timeout ?? '', 64)}"\n`,
    );
    return GPU_EXIT.usage;
  }
  const source = values.source ?? 'auto';
  if (!SOURCES.includes(source)) {
    io.stderr.write(`mltel gpu: --source must be auto, csv or xml, got "${source}"\n`);
    return GPU_EXIT.usage;
  }

  const fromEnv = io.env.MLTEL_NVIDIA_SMI?.trim() || undefined;
  const command = values['nvidia-smi'] ?? fromEnv ?? GPU_DEFAULTS.nvidiaSmiPath;
  const path = findExecutable(command, io.env.PATH);
  if (path === undefined) {
    const where = command.includes('/')
      ? `${command} is not an executable file${values['nvidia-smi'] === undefined ? ' (from MLTEL_NVIDIA_SMI)' : ''}`
      : `${command} is not on PATH (PATH=${io.env.PATH ?? ''})`;
    return report(io, values.json, { ok: false, reason: 'not-found', message: where }, undefined, GPU_EXIT.notFound);
  }

  const plugin = new GpuHostMetrics({
    enabled: false,
    nvidiaSmiPath: path,
    timeoutMs,
    env: io.env,
    source: source as GpuQuerySource,
  });
  let result: CollectionResult;
  try {
    result = await plugin.collect();
  } finally {
    plugin.disable();
  }
  if (!result.ok) {
    return report(
      io,
      values.json,
      { ok: false, reason: result.reason, message: result.message, output: result.output },
      path,
      GPU_EXIT.failed,
    );
  }
  if (result.devices.length === 0) {
    return report(
      io,
      values.json,
      { ok: false, reason: 'no-devices', message: `${path} listed no GPU` },
      path,
      GPU_EXIT.failed,
    );
  }
  if (values.json) {
    io.stdout.write(
      `${JSON.stringify({ ok: true, nvidiaSmi: path, source: result.source, devices: result.devices }, null, 2)}\n`,
    );
  } else {
    const driver = result.devices.find((d) => d.driverVersion !== undefined)?.driverVersion;
    io.stdout.write(
      `nvidia-smi: ${path} (${result.source === 'xml' ? '-q -x' : '--query-gpu'}${driver === undefined ? '' : `, driver ${driver}`}, ${result.durationSeconds.toFixed(2)} s)\n\n`,
    );
    io.stdout.write(renderTable(result.devices));
  }
  return GPU_EXIT.ok;
}

interface Problem {
  ok: false;
  reason: string;
  message: string;
  output?: string;
}

function report(
  io: CliIo,
  json: boolean | undefined,
  problem: Problem,
  path: string | undefined,
  code: number,
): number {
  // nvidia-smi's output can be anything (32 MB of garbage, escape sequences): only the first
  // MAX_ECHO_CHARS of it are echoed, and on a terminal with its control characters escaped.
  if (json) {
    const { output, ...rest } = problem;
    const bounded =
      output === undefined ? {} : { output: output.slice(0, MAX_ECHO_CHARS), outputBytes: Buffer.byteLength(output) };
    io.stdout.write(`${JSON.stringify({ ...rest, ...bounded, nvidiaSmi: path ?? null }, null, 2)}\n`);
  } else {
    io.stderr.write(`mltel gpu: no GPU metrics: ${printable(problem.message)} [${problem.reason}]\n`);
    const output = problem.output?.trim();
    if (output)
      io.stderr.write(
        `\nnvidia-smi said:\n${printable(output)
          .split('\n')
          .map((l) => `  ${l}`)
          .join('\n')}\n`,
      );
  }
  return code;
}
