import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import type { DiagLogger } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveGpuSettings } from './config/gpu.js';
import { startGpu } from './gpu.js';

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
