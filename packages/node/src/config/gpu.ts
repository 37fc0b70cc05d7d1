// The GPU plugin settings of the register distribution: MLTEL_GPU, MLTEL_NVIDIA_SMI,
// MLTEL_GPU_EXTRAS, MLTEL_GPU_LOOP_INTERVAL and MLTEL_GPU_TIMEOUT_MS, resolved with the rest of
// the configuration (the plugin itself starts in ../gpu.ts).
import { GPU_DEFAULTS } from '@mltel/host-metrics-gpu/find';
import { describeText } from '@mltel/kit';
import type { GpuExtras } from '@mltel/host-metrics-gpu';
import { read } from './read.js';
import type { Env } from './read.js';
import type { ConfigProblem, GpuSettings, StartOptions } from './types.js';

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
    message: `MLTEL_GPU=${describeText(raw)} is not auto, true or false; using auto (GPU metrics when nvidia-smi is found). Fix: set MLTEL_GPU=auto, true or false.`,
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
        message: `MLTEL_GPU_EXTRAS names ${describeText(name)}, which is not an NVIDIA extra; it is ignored. Fix: use a comma list of ${Object.keys(EXTRAS).join(', ')}.`,
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
    message: `${name}=${describeText(raw)} is not an integer from 1 to ${max}; the default is used. Fix: set ${name} to such a number or unset it.`,
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
