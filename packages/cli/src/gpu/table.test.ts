import type { GpuDevice } from '@mltel/host-metrics-gpu';
import { describe, expect, it } from 'vitest';
import { renderTable } from './table.js';

const MiB = 1048576;

/** A device with only what the table shows; the rest of a reading is irrelevant here. */
function device(fields: Partial<GpuDevice> & Pick<GpuDevice, 'id'>): GpuDevice {
  return {
    name: 'GPU',
    memory: {},
    utilization: {},
    ecc: {} as GpuDevice['ecc'],
    clocks: {} as GpuDevice['clocks'],
    processes: [],
    ...fields,
  };
}

describe('renderTable', () => {
  it('prints one padded row per GPU and MIG instance, "-" where a value is missing', () => {
    const table = renderTable([
      device({
        id: 'GPU-aaaa',
        index: 0,
        model: 'NVIDIA L40S',
        memory: { usedBytes: 1235 * MiB, totalBytes: 46068 * MiB },
        utilization: { gpu: 0.094 },
        powerDrawWatts: 110.24,
        temperatureCelsius: 54,
      }),
      device({ id: 'MIG-GPU-aaaa/3/0', index: 0, migIndex: 1, memory: { totalBytes: 19968 * MiB } }),
      device({ id: 'GPU-bbbb' }),
    ]);
    expect(table).toBe(
      [
        'GPU  UUID              NAME         MEMORY MiB (used / total)  UTIL  POWER    TEMP',
        '0    GPU-aaaa          NVIDIA L40S  1235 / 46068               9%    110.2 W  54 C',
        '0/1  MIG-GPU-aaaa/3/0  -            - / 19968                  -     -        -',
        '-    GPU-bbbb          -            - / -                      -     -        -',
        '',
      ].join('\n'),
    );
  });

  it('prints the header alone when there is no device', () => {
    expect(renderTable([])).toBe('GPU  UUID  NAME  MEMORY MiB (used / total)  UTIL  POWER  TEMP\n');
  });

  it("escapes control characters in nvidia-smi's text", () => {
    const table = renderTable([device({ id: 'GPU-\u001b]0;x\u0007', index: 0, model: 'A\u001b[2J' })]);
    expect(table.split('\n')[1]).toMatch(/^0 {4}GPU-\\x1b]0;x\\x07 {2}A\\x1b\[2J /);
  });
});
