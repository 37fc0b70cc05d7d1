// The GPU plugin in the register distribution: start-up from the resolved settings
// (config/gpu.ts). `auto` (the default) turns the plugin on when nvidia-smi is found and logs one
// info line when it is not. The plugin (with its nvidia-smi XML parser) is required only once
// nvidia-smi is found: a host without a GPU loads just the PATH lookup.
import { diag } from '@opentelemetry/api';
import type { MeterProvider } from '@opentelemetry/api';
import type { GpuHostMetrics } from '@mltel/host-metrics-gpu';
import { findExecutable, GPU_DEFAULTS } from '@mltel/host-metrics-gpu/find';
import type { Env } from './config/read.js';
import { requireEsm } from './require-esm.js';
import type { GpuSettings } from './config/types.js';

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
    const plugin = requireEsm<typeof import('@mltel/host-metrics-gpu')>('@mltel/host-metrics-gpu');
    return new plugin.GpuHostMetrics({
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
