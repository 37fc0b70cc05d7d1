import { describe, expect, it } from 'vitest';
import { resolveGpuSettings } from './gpu.js';
import type { ConfigProblem } from './types.js';

describe('resolveGpuSettings', () => {
  it('defaults to auto with nothing opted in', () => {
    const problems: ConfigProblem[] = [];
    expect(resolveGpuSettings({}, {}, problems)).toEqual({
      mode: 'auto',
      nvidiaSmiPath: undefined,
      extras: {},
      loopIntervalSeconds: undefined,
      timeoutMs: 10_000,
    });
    expect(problems).toEqual([]);
  });

  it('reads the variables', () => {
    const problems: ConfigProblem[] = [];
    const env = {
      MLTEL_GPU: 'TRUE',
      MLTEL_NVIDIA_SMI: '/usr/bin/nvidia-smi',
      MLTEL_GPU_EXTRAS: 'clocks, process_memory',
      MLTEL_GPU_LOOP_INTERVAL: '5',
      MLTEL_GPU_TIMEOUT_MS: '3000',
    };
    expect(resolveGpuSettings({}, env, problems)).toEqual({
      mode: 'on',
      nvidiaSmiPath: '/usr/bin/nvidia-smi',
      extras: { clocks: true, processMemory: true },
      loopIntervalSeconds: 5,
      timeoutMs: 3000,
    });
    expect(resolveGpuSettings({ gpu: false }, env, problems).mode).toBe('off');
  });

  it('names the setting and the fix for each bad value', () => {
    const problems: ConfigProblem[] = [];
    const settings = resolveGpuSettings(
      {},
      {
        MLTEL_GPU: 'yes please',
        MLTEL_GPU_EXTRAS: 'clocks,fans',
        MLTEL_GPU_LOOP_INTERVAL: '0.5',
        MLTEL_GPU_TIMEOUT_MS: '-1',
      },
      problems,
    );
    expect(settings).toMatchObject({
      mode: 'auto',
      extras: { clocks: true },
      loopIntervalSeconds: undefined,
      timeoutMs: 10_000,
    });
    expect(problems.map((p) => p.setting)).toEqual([
      'MLTEL_GPU',
      'MLTEL_GPU_EXTRAS',
      'MLTEL_GPU_LOOP_INTERVAL',
      'MLTEL_GPU_TIMEOUT_MS',
    ]);
    for (const p of problems) expect(p.message).toContain(`Fix: `);
  });
});
