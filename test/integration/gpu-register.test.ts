// The GPU plugin in the register distribution: an app under `node --import @mltel/node/register`
// with the fake nvidia-smi (test/fixtures/fake-nvidia-smi, replaying the real L40S capture) first
// on PATH, scraped over HTTP; and the same app on a host without nvidia-smi.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, getText, parseExposition, ROOT, spawnChild } from './helpers.js';

const APP = join(ROOT, 'test/fixtures/apps/app.mjs');
const FAKE_DIR = join(ROOT, 'test/fixtures/fake-nvidia-smi');
const CAPTURE = join(ROOT, 'packages/nvidia-smi-parser/test/fixtures/capture-multi-l40s-driver595.txt');
const MiB = 1048576;
const UUID = 'GPU-00000000-0000-0000-0000-000000000000';

function runApp(env: NodeJS.ProcessEnv) {
  return spawnChild(process.execPath, ['--import', '@mltel/node/register', APP], { cwd: ROOT, env });
}

describe('GPU metrics under @mltel/node/register', () => {
  it('serves hw_* from nvidia-smi on PATH, one run per scrape', async () => {
    const port = await freePort();
    const log = join(mkdtempSync(join(tmpdir(), 'mltel-gpu-reg-')), 'fake.log');
    const child = runApp({
      PATH: `${FAKE_DIR}:${process.env.PATH ?? ''}`,
      FAKE_NVIDIA_SMI_CAPTURE: CAPTURE,
      FAKE_NVIDIA_SMI_LOG: log,
      MLTEL_GPU_EXTRAS: 'clocks,power_limit',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
      OTEL_LOG_LEVEL: 'warn',
      APP_LINGER_MS: '60000',
    });
    try {
      await child.waitForLine(/^app: ready/);
      const samples = parseExposition(await getText(`http://127.0.0.1:${port}/metrics`));
      const one = (name: string, labels: Record<string, string> = {}) =>
        samples
          .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
          .map((s) => s.value);
      expect(one('hw_gpu_memory_usage_bytes', { hw_id: UUID })).toEqual([1235 * MiB]);
      expect(one('hw_gpu_memory_limit_bytes', { hw_id: UUID })).toEqual([46068 * MiB]);
      expect(one('hw_gpu_utilization_ratio', { hw_gpu_task: 'general' })).toEqual([0.09]);
      expect(one('hw_power_watts')).toEqual([110.23]);
      expect(one('hw_temperature_celsius')).toEqual([54]);
      expect(one('nvidia_gpu_clock_frequency_hertz')).toHaveLength(4);
      expect(one('nvidia_gpu_power_limit_watts')).toHaveLength(1);
      expect(one('ml_gpu_collection_exit_code')).toEqual([0]);
      expect(one('ml_gpu_collection_failures_total')).toEqual([]);
      const labels = samples.find((s) => s.name === 'hw_power_watts')?.labels;
      expect(labels).toMatchObject({
        hw_id: UUID,
        hw_name: 'GPU 0',
        hw_model: 'NVIDIA L40S',
        hw_vendor: 'NVIDIA',
        hw_driver_version: '595.80',
      });
      await getText(`http://127.0.0.1:${port}/metrics`);
      const starts = readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { event: string; args: string[]; overlap: boolean })
        .filter((e) => e.event === 'start');
      // Negotiation once (-L, --help-query-gpu), then one --query-gpu per scrape.
      expect(starts.map((s) => s.args[0]!.split('=')[0])).toEqual([
        '-L',
        '--help-query-gpu',
        '--query-gpu',
        '--query-gpu',
      ]);
      expect(starts.some((s) => s.overlap)).toBe(false);
    } finally {
      await child.stop();
    }
    expect(child.stderr()).toBe('');
  });

  it('without nvidia-smi: exactly one info line, and the app runs to its end', async () => {
    const port = await freePort();
    const child = runApp({
      PATH: mkdtempSync(join(tmpdir(), 'mltel-no-gpu-')),
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
      OTEL_LOG_LEVEL: 'info',
      APP_LINGER_MS: '300',
    });
    const exit = await child.exited;
    expect(exit.code).toBe(0);
    expect(child.stdout()).toContain('app: finished');
    // DiagConsoleLogger writes info lines with console.info (stdout), warnings to stderr.
    const gpuLines = `${child.stdout()}\n${child.stderr()}`.split('\n').filter((l) => /nvidia-smi|GPU/.test(l));
    expect(gpuLines).toEqual([
      'mltel: nvidia-smi is not on PATH; GPU metrics are off (set MLTEL_NVIDIA_SMI=/path/to/nvidia-smi if it is elsewhere).',
    ]);
  });

  it('a bad MLTEL_GPU value: one message naming the setting and the fix', async () => {
    const child = runApp({
      PATH: mkdtempSync(join(tmpdir(), 'mltel-no-gpu-')),
      MLTEL_GPU: 'maybe',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()),
      APP_LINGER_MS: '0',
    });
    expect((await child.exited).code).toBe(0);
    expect(
      child
        .stderr()
        .split('\n')
        .filter((l) => l.includes('mltel:')),
    ).toEqual([
      'mltel: MLTEL_GPU="maybe" is not auto, true or false; using auto (GPU metrics when nvidia-smi is found). Fix: set MLTEL_GPU=auto, true or false.',
    ]);
  });
});
