// parseTable (plain `nvidia-smi`): the 8-GPU driver-418 capture with the ERR% fan, the MIG and
// process blocks of driver 590, the 610 layout, and what is not a table.
import { describe, expect, it } from 'vitest';
import { captureSections, readFixture } from '../test/captures.js';
import { MiB, one, section, thrown } from '../test/helpers.js';
import { parseList, withListInfo } from './list.js';
import { parseTable } from './table.js';

describe('table-8xRTX2080Ti-processes-fanERR-driver418 (ERR% fan shifts the row)', () => {
  it('eight GPUs with exact values; GPU 7 fan undefined; four processes; -L fills names and UUIDs', () => {
    const table = parseTable(readFixture('table-8xRTX2080Ti-processes-fanERR-driver418.txt'));
    expect(table).toMatchObject({
      driverVersion: '418.87.01',
      cudaVersion: '10.1',
      timestamp: 'Wed May  6 15:30:55 2020',
    });
    const rows = table.gpus.map((g) => [
      g.index,
      g.pciBusId,
      g.fanSpeedRatio,
      g.temperatureCelsius,
      g.performanceState,
      g.powerDrawWatts,
      g.powerLimitWatts,
      g.memory.usedBytes,
      g.memory.totalBytes,
      g.utilization.gpu,
    ]);
    const total = MiB(10989);
    expect(rows).toEqual([
      [0, '00000000:01:00.0', 0, 80, 'P2', 74, 250, MiB(6762), total, 0],
      [1, '00000000:04:00.0', 0, 38, 'P8', 25, 250, MiB(11), total, 0],
      [2, '00000000:05:00.0', 0.65, 87, 'P2', 166, 250, MiB(6076), total, 0.39],
      [3, '00000000:06:00.0', 0, 31, 'P8', 16, 250, MiB(11), total, 0],
      [4, '00000000:07:00.0', 0.35, 35, 'P8', 16, 250, MiB(11), total, 0],
      [5, '00000000:0C:00.0', 0.35, 27, 'P8', 1, 250, MiB(11), total, 0],
      [6, '00000000:0D:00.0', 0.22, 37, 'P8', 10, 250, MiB(8852), total, 0],
      [7, '00000000:0F:00.0', undefined, 37, 'P8', 20, 250, MiB(8852), total, 0],
    ]);
    expect(
      table.gpus.flatMap((g) => g.processes.map((p) => [g.index, p.pid, p.type, p.name, p.usedMemoryBytes])),
    ).toEqual([
      [0, 34882, 'C', 'python', MiB(6751)],
      [2, 4561, 'C', 'python', MiB(6065)],
      [6, 27944, 'C', 'python3', MiB(8841)],
      [7, 15752, 'C', 'python3', MiB(8841)],
    ]);
    const merged = withListInfo(table.gpus, parseList(readFixture('list-L-8xRTX2080Ti.txt')));
    expect(merged.map((g) => g.name)).toEqual(Array(8).fill('GeForce RTX 2080 Ti'));
    expect(merged[7]!.uuid).toBe('GPU-7bfd9ce9-baba-e8e5-e866-462d087ae8d1');
  });
});

describe('table edge cases', () => {
  it('table with no running processes', () => {
    const h100 = captureSections(readFixture('capture-multi-h100-mig-4instances-driver590.txt')).find(
      (s) => s.title === 'idle :: nvidia-smi (default table)',
    )!;
    expect(h100.output).toContain('No running processes found');
    expect(parseTable(h100.output).gpus[0]!.processes).toEqual([]);
  });

  it('the H100 MIG block: instance ids, memory and SM count per MIG device (idle)', () => {
    const file = 'capture-multi-h100-mig-4instances-driver590.txt';
    const gpu = one(parseTable(section(file, 'idle :: nvidia-smi (default table)').output).gpus);
    expect(gpu.migDevices.map((d) => [d.index, d.gpuInstanceId, d.computeInstanceId, d.multiprocessorCount])).toEqual([
      [0, 2, 0, 60],
      [1, 3, 0, 32],
      [2, 9, 0, 16],
      [3, 10, 0, 16],
    ]);
    expect(gpu.migDevices[0]!.memory).toEqual({ usedBytes: MiB(26), totalBytes: MiB(40448) });
  });

  it('driver 610 on Windows: KMD Version and CUDA UMD Version, the WDDM driver model is not in the name', () => {
    const file = 'capture-multi-win-rtx2080super-wddm-driver610.txt';
    const table = parseTable(section(file, 'idle :: nvidia-smi (default table)').output);
    expect(table).toMatchObject({ driverVersion: '610.62', cudaVersion: '13.3' });
    expect(one(table.gpus).name).toBe('NVIDIA GeForce RTX 2080 ...');
  });

  it('what is not a table: no NVIDIA-SMI header, or no GPU row', () => {
    expect(thrown(() => parseTable(42 as never)).reason).toBe('malformed');
    expect(thrown(() => parseTable('| NVIDIA-SMI 418.87.01 |\n')).reason).toBe('malformed');
    expect(thrown(() => parseTable(readFixture('synthetic/error-driver-mismatch.txt'))).reason).toBe('driver-mismatch');
  });
});
