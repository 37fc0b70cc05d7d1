// The GPU plugin in the register distribution: settings (MLTEL_GPU, MLTEL_NVIDIA_SMI,
// MLTEL_GPU_EXTRAS, MLTEL_GPU_LOOP_INTERVAL, MLTEL_GPU_TIMEOUT_MS) and start-up. `auto` (the
// default) turns the plugin on when nvidia-smi is found and logs one info line when it is not.
import { diag } from '@opentelemetry/api';
import type { MeterProvider } from '@opentelemetry/api';
import { findExecutable, GPU_DEFAULTS, GpuHostMetrics } from '@mltel/host-metrics-gpu';
import type { GpuExtras } from '@mltel/host-metrics-gpu';
import { read } from './config/read.js';
import type { Env } from './config/read.js';
import type { ConfigProblem, GpuSettings, StartOptions } from './config/types.js';

const EXTRAS: Record<string, keyof GpuExtras> = {
  clocks: 'clocks',
  power_limit: 'powerLimit',
  process_memory: 'processMemory',
};

function modeOf(raw: string | undefined, problems: ConfigProblem[]): GpuSettings['mode'] {
  const value = raw?.toLowerCase();
  if (value === undefined || value === 'auto') return 'auto';
  if (value === 'true' || value === '1') return 'on';
  if (value === 'false' || value === '0') return 'off';
  problems.push({
    setting: 'MLTEL_GPU',
    message: `MLTEL_GPU="${raw}" is not auto, true or false; using auto (GPU metrics when nvidia-smi is found). Fix: set MLTEL_GPU=auto, true or false.`,
  });
  return 'auto';
}

function extrasOf(raw: string | undefined, problems: ConfigProblem[]): GpuExtras {
  const extras: GpuExtras = {};
  for (const name of (raw ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '')) {
    const key = EXTRAS[name];
    if (key === undefined) {
      problems.push({
        setting: 'MLTEL_GPU_EXTRAS',
        message: `MLTEL_GPU_EXTRAS names "${name}", which is not an NVIDIA extra; it is ignored. Fix: use a comma list of ${Object.keys(EXTRAS).join(', ')}.`,
      });
      continue;
    }
    extras[key] = true;
  }
  return extras;
}

function positive(env: Env, name: string, problems: ConfigProblem[], max: number): number | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (Number.isInteger(value) && value >= 1 && value <= max) return value;
  problems.push({
    setting: name,
    message: `${name}="${raw}" is not an integer from 1 to ${max}; the default is used. Fix: set ${name} to such a number or unset it.`,
  });
  return undefined;
}

/** The GPU settings from options, then variables, then defaults. Never throws. */
export function resolveGpuSettings(options: StartOptions, env: Env, problems: ConfigProblem[]): GpuSettings {
  const mode =
    options.gpu === undefined
      ? modeOf(read(env, 'MLTEL_GPU'), problems)
      : options.gpu === 'auto'
        ? 'auto'
        : options.gpu
          ? 'on'
          : 'off';
  return {
    mode,
    nvidiaSmiPath: options.nvidiaSmiPath ?? read(env, 'MLTEL_NVIDIA_SMI'),
    extras: options.gpuExtras ?? extrasOf(read(env, 'MLTEL_GPU_EXTRAS'), problems),
    loopIntervalSeconds: options.gpuLoopIntervalSeconds ?? positive(env, 'MLTEL_GPU_LOOP_INTERVAL', problems, 3600),
    timeoutMs:
      options.gpuTimeoutMs ?? positive(env, 'MLTEL_GPU_TIMEOUT_MS', problems, 600_000) ?? GPU_DEFAULTS.timeoutMs,
  };
}

/**
 * Starts the GPU plugin on `meterProvider` when the settings and the host allow it; undefined
 * otherwise. `auto` without nvidia-smi: one info line. An explicit setting that cannot be met
 * (MLTEL_GPU=true or MLTEL_NVIDIA_SMI naming no executable): one warning with the fix.
 */
export function startGpu(
  settings: GpuSettings,
  meterProvider: MeterProvider,
  env: Env = process.env,
): GpuHostMetrics | undefined {
  if (settings.mode === 'off') return undefined;
  const command = settings.nvidiaSmiPath ?? GPU_DEFAULTS.nvidiaSmiPath;
  const found = findExecutable(command, env.PATH);
  if (found === undefined) {
    if (settings.nvidiaSmiPath !== undefined) {
      diag.warn(
        `mltel: MLTEL_NVIDIA_SMI="${settings.nvidiaSmiPath}" is not an executable file; GPU metrics are off. Fix: point MLTEL_NVIDIA_SMI at nvidia-smi, or unset it to look on PATH.`,
      );
    } else if (settings.mode === 'on') {
      diag.warn(
        'mltel: MLTEL_GPU=true but nvidia-smi is not on PATH; GPU metrics are off. Fix: install the NVIDIA driver utilities, set MLTEL_NVIDIA_SMI=/path/to/nvidia-smi, or set MLTEL_GPU=auto.',
      );
    } else {
      diag.info(
        'mltel: nvidia-smi is not on PATH; GPU metrics are off (set MLTEL_NVIDIA_SMI=/path/to/nvidia-smi if it is elsewhere).',
      );
    }
    return undefined;
  }
  try {
    return new GpuHostMetrics({
      meterProvider,
      nvidiaSmiPath: found,
      timeoutMs: settings.timeoutMs,
      extras: settings.extras,
      loopIntervalSeconds: settings.loopIntervalSeconds,
      env: env as NodeJS.ProcessEnv,
    });
  } catch (error) {
    diag.warn(
      `mltel: GPU metrics are off (${error instanceof Error ? error.message : String(error)}). Fix: set MLTEL_GPU=false to silence this.`,
    );
    return undefined;
  }
}
