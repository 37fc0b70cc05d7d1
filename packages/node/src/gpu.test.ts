import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import type { DiagLogger } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigProblem } from './config/types.js';
import { resolveGpuSettings, startGpu } from './gpu.js';

const FAKE_DIR = fileURLToPath(new URL('../../../test/fixtures/fake-nvidia-smi', import.meta.url));
const EMPTY = mkdtempSync(join(tmpdir(), 'mltel-node-gpu-'));

function captureDiag() {
  const lines: Array<[string, string]> = [];
  const logger: DiagLogger = {
    error: (m) => void lines.push(['error', m]),
    warn: (m) => void lines.push(['warn', m]),
    info: (m) => void lines.push(['info', m]),
    debug: () => {},
    verbose: () => {},
  };
  diag.setLogger(logger, { logLevel: DiagLogLevel.INFO, suppressOverrideMessage: true });
  return lines;
}

afterEach(() => diag.disable());

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

describe('startGpu', () => {
  const settings = (over: Partial<ReturnType<typeof resolveGpuSettings>> = {}) => ({
    ...resolveGpuSettings({}, {}, []),
    ...over,
  });

  it('auto without nvidia-smi: one info line, no plugin', () => {
    const lines = captureDiag();
    expect(startGpu(settings(), new MeterProvider(), { PATH: EMPTY })).toBeUndefined();
    expect(lines).toEqual([
      [
        'info',
        'mltel: nvidia-smi is not on PATH; GPU metrics are off (set MLTEL_NVIDIA_SMI=/path/to/nvidia-smi if it is elsewhere).',
      ],
    ]);
  });

  it('MLTEL_GPU=true without nvidia-smi, or MLTEL_NVIDIA_SMI naming nothing: one warning with the fix', () => {
    const lines = captureDiag();
    expect(startGpu(settings({ mode: 'on' }), new MeterProvider(), { PATH: EMPTY })).toBeUndefined();
    expect(
      startGpu(settings({ nvidiaSmiPath: '/opt/none/nvidia-smi' }), new MeterProvider(), { PATH: EMPTY }),
    ).toBeUndefined();
    expect(lines.map(([level]) => level)).toEqual(['warn', 'warn']);
    expect(lines[0]![1]).toContain('Fix: ');
    expect(lines[1]![1]).toContain('MLTEL_NVIDIA_SMI="/opt/none/nvidia-smi" is not an executable file');
  });

  it('turns the plugin on when nvidia-smi is on PATH; off stays off silently', () => {
    const lines = captureDiag();
    const plugin = startGpu(settings(), new MeterProvider(), { PATH: FAKE_DIR });
    expect(plugin?.isEnabled()).toBe(true);
    plugin?.disable();
    expect(startGpu(settings({ mode: 'off' }), new MeterProvider(), { PATH: FAKE_DIR })).toBeUndefined();
    expect(lines).toEqual([]);
  });
});
