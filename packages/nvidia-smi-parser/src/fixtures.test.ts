// Every capture in test/fixtures parses, with exact values per GPU (index, uuid, name, memory,
// utilisation or its absence, power, temperature, MIG instances, processes). Values below were
// read off the raw files by hand; units are normalised (bytes, ratio, W, Hz, °C).
import { describe, expect, it } from 'vitest';
import { captureNames, captureSections, readFixture, type CaptureSection } from '../test/captures.js';
import {
  parseComputeAppsCsv,
  parseHelpQueryGpu,
  parseList,
  parseQueryGpuCsv,
  parseTable,
  parseXml,
  withListInfo,
  type GpuReading,
} from './index.js';

const MiB = (n: number): number => n * 1048576;
const MHz = (n: number): number => n * 1e6;
const ZERO_UUID = 'GPU-00000000-0000-0000-0000-000000000000';

function section(file: string, title: string): CaptureSection {
  const s = captureSections(readFixture(file)).find((x) => x.title === title);
  if (!s) throw new Error(`${file}: no section "${title}"`);
  return s;
}
function one<T>(items: T[]): T {
  expect(items).toHaveLength(1);
  return items[0]!;
}

describe('fixture inventory', () => {
  it('every capture file is covered by a test below', () => {
    const covered = new Set([
      'capture-multi-h100-mig-4instances-driver590.txt',
      'capture-multi-l40s-driver595.txt',
      'capture-multi-rtx4080super-driver595.txt',
      'capture-multi-ubuntu-rtx2080super-driver465.txt',
      'capture-multi-win-rtx2080super-wddm-driver610.txt',
      'csv-nounits-tesla-p100-driver510.csv',
      'csv-win-rtx2080super-driver471-allfields.csv',
      'list-L-8xH100-mig-56instances.txt',
      'list-L-8xRTX2080Ti.txt',
      'table-8xRTX2080Ti-processes-fanERR-driver418.txt',
      'xml-2xA5000-processes-driver590-v13.xml',
      'xml-a100-sxm4-mig-driver510-v11.xml',
      'xml-a100-sxm4-mig-driver535-v12.xml',
      'xml-gtx1660ti-graphicsdevice-driver418.xml',
      'xml-rtx3060-driver570-v12.xml',
      'xml-rtx4000-sff-ada-processes-driver595-v13.xml',
      'xml-tesla-t4-processes-driver515-v11.xml',
      'xml-win-rtx2080-26processes-driver516-v11.xml',
    ]);
    expect(captureNames()).toEqual([...covered].sort());
  });

  it('every nvidia-smi section of the multi-section captures that has a parser parses', () => {
    let parsed = 0;
    for (const name of captureNames().filter((n) => n.startsWith('capture-multi-'))) {
      for (const s of captureSections(readFixture(name))) {
        const a = s.args[0] ?? '';
        if (a.startsWith('--query-gpu=')) expect(parseQueryGpuCsv(s.output).length).toBe(1);
        else if (a.startsWith('--query-compute-apps=')) expect(Array.isArray(parseComputeAppsCsv(s.output))).toBe(true);
        else if (a === '--help-query-gpu') expect(parseHelpQueryGpu(s.output).length).toBeGreaterThan(100);
        else if (a === '-L' || a === '--list-gpus') expect(parseList(s.output).length).toBe(1);
        else if (s.command.startsWith('nvidia-smi') && s.args.length === 0)
          expect(parseTable(s.output).gpus.length).toBe(1);
        else continue;
        parsed++;
      }
    }
    // h100/l40s/4080/win: 2× query-gpu, 2× compute-apps, 2× table, help, -L = 8 each; 465: 3.
    expect(parsed).toBe(4 * 8 + 3);
  });
});

describe('capture-multi-h100-mig-4instances-driver590 (MIG: utilisation [N/A])', () => {
  const file = 'capture-multi-h100-mig-4instances-driver590.txt';
  it('query-gpu idle and load', () => {
    const idle = one(parseQueryGpuCsv(section(file, 'idle :: query-gpu (csv, what the exporter parses)').output));
    expect(idle).toMatchObject({
      index: 0,
      uuid: ZERO_UUID,
      name: 'NVIDIA H100 80GB HBM3',
      driverVersion: '590.48.01',
      pciBusId: '00000000:00:09.0',
    });
    expect(idle.memory).toEqual({
      totalBytes: MiB(81559),
      usedBytes: MiB(59),
      freeBytes: MiB(81022),
      reservedBytes: MiB(479),
    });
    expect(idle.utilization).toEqual({ gpu: undefined, memory: undefined, encoder: undefined, decoder: undefined });
    expect(idle).toMatchObject({
      powerDrawWatts: 71.15,
      powerLimitWatts: 700,
      temperatureCelsius: 42,
      memoryTemperatureCelsius: 48,
      performanceState: 'P0',
      migEnabled: true,
    });
    expect(idle.fanSpeedRatio).toBeUndefined();
    expect(idle.clocks).toEqual({ graphics: MHz(345), sm: MHz(345), memory: MHz(2619), video: MHz(765) });
    expect(idle.ecc).toEqual({
      correctedVolatile: 0,
      uncorrectedVolatile: 0,
      correctedAggregate: 0,
      uncorrectedAggregate: 0,
    });
    const load = one(parseQueryGpuCsv(section(file, 'load :: query-gpu (csv, what the exporter parses)').output));
    expect(load.memory.usedBytes).toBe(MiB(11125));
    expect(load.powerDrawWatts).toBe(433.78);
    expect(load.temperatureCelsius).toBe(53);
    expect(load.utilization.gpu).toBeUndefined();
  });
  it('compute apps: none idle, three under load', () => {
    expect(parseComputeAppsCsv(section(file, 'idle :: query-compute-apps (per-process)').output)).toEqual([]);
    expect(parseComputeAppsCsv(section(file, 'load :: query-compute-apps (per-process)').output)).toEqual([
      { pid: 21180, name: '/root/tools/memhog', usedMemoryBytes: MiB(2296), gpuUuid: ZERO_UUID },
      { pid: 21181, name: '/root/tools/memhog', usedMemoryBytes: MiB(1272), gpuUuid: ZERO_UUID },
      { pid: 21198, name: './gpu_burn', usedMemoryBytes: MiB(7484), gpuUuid: ZERO_UUID },
    ]);
  });
  it('table under load: 4 MIG instances and processes with GI/CI, merged with -L', () => {
    const listed = parseList(section(file, 'capabilities :: list (-L)').output);
    expect(listed).toEqual([
      {
        index: 0,
        name: 'NVIDIA H100 80GB HBM3',
        uuid: ZERO_UUID,
        migDevices: [
          { index: 0, profile: '3g.40gb', uuid: 'MIG-00000000-0000-0000-0000-000000000000' },
          { index: 1, profile: '2g.20gb', uuid: 'MIG-00000001-0000-0000-0000-000000000001' },
          { index: 2, profile: '1g.10gb', uuid: 'MIG-00000002-0000-0000-0000-000000000002' },
          { index: 3, profile: '1g.10gb', uuid: 'MIG-00000003-0000-0000-0000-000000000003' },
        ],
      },
    ]);
    const table = parseTable(section(file, 'load :: nvidia-smi (default table)').output);
    expect(table).toMatchObject({ driverVersion: '590.48.01', cudaVersion: '13.1' });
    const gpu = one(withListInfo(table.gpus, listed));
    expect(gpu).toMatchObject({
      index: 0,
      uuid: ZERO_UUID,
      name: 'NVIDIA H100 80GB HBM3',
      pciBusId: '00000000:00:09.0',
      powerDrawWatts: 432,
      powerLimitWatts: 700,
      temperatureCelsius: 52,
      migEnabled: true,
    });
    expect(gpu.memory).toEqual({ usedBytes: MiB(11125), totalBytes: MiB(81559) });
    expect(gpu.utilization.gpu).toBeUndefined();
    expect(gpu.migDevices).toEqual([
      {
        index: 0,
        gpuInstanceId: 2,
        computeInstanceId: 0,
        multiprocessorCount: 60,
        memory: { usedBytes: MiB(11091), totalBytes: MiB(40448) },
        uuid: 'MIG-00000000-0000-0000-0000-000000000000',
        profile: '3g.40gb',
      },
      {
        index: 1,
        gpuInstanceId: 3,
        computeInstanceId: 0,
        multiprocessorCount: 32,
        memory: { usedBytes: MiB(17), totalBytes: MiB(20096) },
        uuid: 'MIG-00000001-0000-0000-0000-000000000001',
        profile: '2g.20gb',
      },
      {
        index: 2,
        gpuInstanceId: 9,
        computeInstanceId: 0,
        multiprocessorCount: 16,
        memory: { usedBytes: MiB(9), totalBytes: MiB(9984) },
        uuid: 'MIG-00000002-0000-0000-0000-000000000002',
        profile: '1g.10gb',
      },
      {
        index: 3,
        gpuInstanceId: 10,
        computeInstanceId: 0,
        multiprocessorCount: 16,
        memory: { usedBytes: MiB(9), totalBytes: MiB(9984) },
        uuid: 'MIG-00000003-0000-0000-0000-000000000003',
        profile: '1g.10gb',
      },
    ]);
    expect(gpu.processes).toEqual([
      {
        pid: 21180,
        type: 'C',
        name: '/root/tools/memhog',
        usedMemoryBytes: MiB(2296),
        gpuInstanceId: 2,
        computeInstanceId: 0,
      },
      {
        pid: 21181,
        type: 'C',
        name: '/root/tools/memhog',
        usedMemoryBytes: MiB(1272),
        gpuInstanceId: 2,
        computeInstanceId: 0,
      },
      { pid: 21198, type: 'C', name: './gpu_burn', usedMemoryBytes: MiB(7484), gpuInstanceId: 2, computeInstanceId: 0 },
    ]);
    const idle = one(parseTable(section(file, 'idle :: nvidia-smi (default table)').output).gpus);
    expect(idle.processes).toEqual([]);
    expect(idle.migDevices.map((d) => d.memory.usedBytes)).toEqual([MiB(26), MiB(17), MiB(9), MiB(9)]);
  });
});

describe('capture-multi-l40s-driver595', () => {
  const file = 'capture-multi-l40s-driver595.txt';
  it('query-gpu idle (100 % busy) and load, memory temperature "N/A" without brackets', () => {
    const idle = one(parseQueryGpuCsv(section(file, 'idle :: query-gpu (csv, what the exporter parses)').output));
    expect(idle).toMatchObject({
      index: 0,
      uuid: ZERO_UUID,
      name: 'NVIDIA L40S',
      powerDrawWatts: 144.97,
      powerLimitWatts: 350,
      temperatureCelsius: 63,
    });
    expect(idle.memory).toMatchObject({ totalBytes: MiB(46068), usedBytes: MiB(0) });
    expect(idle.utilization).toMatchObject({ gpu: 1, memory: 0.09 });
    expect(idle.memoryTemperatureCelsius).toBeUndefined();
    expect(idle.migEnabled).toBeUndefined();
    const load = one(parseQueryGpuCsv(section(file, 'load :: query-gpu (csv, what the exporter parses)').output));
    expect(load.memory.usedBytes).toBe(MiB(1235));
    expect(load.utilization).toEqual({ gpu: 0.09, memory: 0.02, encoder: 0.6, decoder: 0 });
    expect(load.powerDrawWatts).toBe(110.23);
    expect(load.temperatureCelsius).toBe(54);
  });
  it('compute apps and table processes under load', () => {
    expect(parseComputeAppsCsv(section(file, 'load :: query-compute-apps (per-process)').output)).toEqual([
      { pid: 20037, name: 'ffmpeg', usedMemoryBytes: MiB(538), gpuUuid: ZERO_UUID },
      { pid: 20038, name: 'ffmpeg', usedMemoryBytes: MiB(681), gpuUuid: ZERO_UUID },
    ]);
    const gpu = one(parseTable(section(file, 'load :: nvidia-smi (default table)').output).gpus);
    expect(gpu.processes.map((p) => [p.pid, p.type, p.usedMemoryBytes])).toEqual([
      [20037, 'C', MiB(538)],
      [20038, 'C', MiB(681)],
    ]);
  });
});

describe('capture-multi-rtx4080super-driver595 (consumer card: fan, no ECC)', () => {
  const file = 'capture-multi-rtx4080super-driver595.txt';
  it('query-gpu idle and load', () => {
    const idle = one(parseQueryGpuCsv(section(file, 'idle :: query-gpu (csv, what the exporter parses)').output));
    expect(idle).toMatchObject({
      index: 0,
      uuid: ZERO_UUID,
      name: 'NVIDIA GeForce RTX 4080 SUPER',
      powerDrawWatts: 26.2,
      powerLimitWatts: 320,
      temperatureCelsius: 43,
      fanSpeedRatio: 0,
      performanceState: 'P8',
    });
    expect(idle.memory).toMatchObject({ totalBytes: MiB(16376), usedBytes: MiB(596) });
    expect(idle.utilization).toMatchObject({ gpu: 0, memory: 0.23 });
    expect(idle.ecc).toEqual({
      correctedVolatile: undefined,
      uncorrectedVolatile: undefined,
      correctedAggregate: undefined,
      uncorrectedAggregate: undefined,
    });
    const load = one(parseQueryGpuCsv(section(file, 'load :: query-gpu (csv, what the exporter parses)').output));
    expect(load).toMatchObject({ powerDrawWatts: 84.24, temperatureCelsius: 46, performanceState: 'P2' });
    expect(load.memory.usedBytes).toBe(MiB(1474));
    expect(load.utilization.gpu).toBe(0.07);
  });
  it('compute apps under load; the table truncates the name and -L restores it', () => {
    expect(
      parseComputeAppsCsv(section(file, 'load :: query-compute-apps (per-process)').output).map((p) => [
        p.pid,
        p.name,
        p.usedMemoryBytes,
      ]),
    ).toEqual([
      [2165, '/usr/bin/kwin_wayland', MiB(25)],
      [5022, 'ffmpeg', MiB(503)],
      [5021, 'ffmpeg', MiB(360)],
    ]);
    const table = parseTable(section(file, 'load :: nvidia-smi (default table)').output);
    expect(table.gpus[0]!.name).toBe('NVIDIA GeForce RTX 4080 ...');
    const merged = one(withListInfo(table.gpus, parseList(section(file, 'capabilities :: list (-L)').output)));
    expect(merged.name).toBe('NVIDIA GeForce RTX 4080 SUPER');
    expect(merged.processes).toHaveLength(7);
  });
});

describe('capture-multi-ubuntu-rtx2080super-driver465 (old driver, old field names)', () => {
  const file = 'capture-multi-ubuntu-rtx2080super-driver465.txt';
  const sections = captureSections(readFixture(file));
  it('list, query-gpu and help-query-gpu', () => {
    expect(parseList(sections[0]!.output)).toEqual([
      {
        index: 0,
        name: 'NVIDIA GeForce RTX 2080 SUPER',
        uuid: 'GPU-df6e7a7c-7314-46f8-abc4-b88b36dcf3aa',
        migDevices: [],
      },
    ]);
    const gpu = one(parseQueryGpuCsv(sections[1]!.output));
    expect(gpu).toMatchObject({
      index: 0,
      uuid: 'GPU-df6e7a7c-7314-46f8-abc4-b88b36dcf3aa',
      name: 'NVIDIA GeForce RTX 2080 SUPER',
      powerDrawWatts: 30.37,
      powerLimitWatts: 250,
      temperatureCelsius: 32,
      fanSpeedRatio: 0.38,
    });
    expect(gpu.memory).toEqual({
      totalBytes: MiB(7979),
      usedBytes: MiB(344),
      freeBytes: MiB(7635),
      reservedBytes: undefined,
    });
    expect(gpu.utilization).toEqual({ gpu: 0, memory: 0.1, encoder: undefined, decoder: undefined });
    expect(gpu.memoryTemperatureCelsius).toBeUndefined(); // "N/A" with no brackets
    const help = parseHelpQueryGpu(sections[2]!.output);
    expect(help.map((f) => f.name)).toContain('clocks_throttle_reasons.active');
    expect(help.map((f) => f.name)).not.toContain('clocks_event_reasons.active');
  });
});

describe('capture-multi-win-rtx2080super-wddm-driver610 (Windows WDDM)', () => {
  const file = 'capture-multi-win-rtx2080super-wddm-driver610.txt';
  it('query-gpu idle and load', () => {
    const idle = one(parseQueryGpuCsv(section(file, 'idle :: query-gpu (csv, what the exporter parses)').output));
    expect(idle).toMatchObject({
      index: 0,
      uuid: ZERO_UUID,
      name: 'NVIDIA GeForce RTX 2080 SUPER',
      powerDrawWatts: 39.25,
      powerLimitWatts: 250,
      temperatureCelsius: 40,
      fanSpeedRatio: 0.38,
    });
    expect(idle.memory).toMatchObject({ totalBytes: MiB(8192), usedBytes: MiB(797) });
    const load = one(parseQueryGpuCsv(section(file, 'load :: query-gpu (csv, what the exporter parses)').output));
    expect(load).toMatchObject({ powerDrawWatts: 97.99, temperatureCelsius: 44 });
    expect(load.memory.usedBytes).toBe(MiB(1366));
    expect(load.utilization.gpu).toBe(0.07);
  });
  it('every process memory is [N/A] under WDDM: undefined, never 0', () => {
    const apps = parseComputeAppsCsv(section(file, 'load :: query-compute-apps (per-process)').output);
    expect(apps.length).toBeGreaterThan(10);
    for (const p of apps) {
      expect(p.usedMemoryBytes).toBeUndefined();
      expect(p.pid).toBeGreaterThan(0);
    }
    const table = parseTable(section(file, 'load :: nvidia-smi (default table)').output);
    expect(table).toMatchObject({ driverVersion: '610.62', cudaVersion: '13.3' });
    const gpu = one(table.gpus);
    expect(gpu).toMatchObject({
      index: 0,
      name: 'NVIDIA GeForce RTX 2080 ...',
      powerDrawWatts: 97,
      temperatureCelsius: 44,
      fanSpeedRatio: 0.38,
    });
    expect(gpu.processes).toHaveLength(21);
    expect(gpu.processes[2]).toEqual({
      pid: 12940,
      type: 'C',
      name: '...1.1-full_build\\bin\\ffmpeg.exe',
      usedMemoryBytes: undefined,
      gpuInstanceId: undefined,
      computeInstanceId: undefined,
    });
  });
});

describe('standalone CSV captures', () => {
  it('csv-win-rtx2080super-driver471-allfields', () => {
    const gpu = one(parseQueryGpuCsv(readFixture('csv-win-rtx2080super-driver471-allfields.csv')));
    expect(gpu).toMatchObject({
      index: 0,
      uuid: 'GPU-df6e7a7c-7314-46f8-abc4-b88b36dcf3aa',
      name: 'NVIDIA GeForce RTX 2080 SUPER',
      powerDrawWatts: 32.7,
      powerLimitWatts: 250,
      temperatureCelsius: 36,
      fanSpeedRatio: 0.38,
    });
    expect(gpu.memory).toMatchObject({ totalBytes: MiB(8192), usedBytes: MiB(876) });
    expect(gpu.utilization).toMatchObject({ gpu: 0.02, memory: 0.1 });
  });
  it('csv-nounits-tesla-p100-driver510: unit in the header, bare values, fan [N/A]', () => {
    const gpu = one(parseQueryGpuCsv(readFixture('csv-nounits-tesla-p100-driver510.csv')));
    expect(gpu).toMatchObject({
      uuid: 'GPU-ef1b2c9b-38d8-2090-2bd1-f567a3eb42a6',
      name: 'Tesla P100-PCIE-16GB',
      performanceState: 'P0',
      powerDrawWatts: 28.16,
      temperatureCelsius: 37,
    });
    expect(gpu.index).toBeUndefined(); // not queried
    expect(gpu.fanSpeedRatio).toBeUndefined();
    expect(gpu.memory).toEqual({ totalBytes: undefined, usedBytes: 0, freeBytes: MiB(16280), reservedBytes: MiB(103) });
    expect(gpu.utilization).toMatchObject({ gpu: 0, memory: 0 });
    expect(gpu.clocks).toEqual({ graphics: MHz(405), sm: MHz(405), memory: MHz(715), video: MHz(835) });
  });
});

describe('-L captures', () => {
  it('list-L-8xH100-mig-56instances', () => {
    const gpus = parseList(readFixture('list-L-8xH100-mig-56instances.txt'));
    expect(gpus.map((g) => g.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(gpus.every((g) => g.name === 'NVIDIA H100 80GB HBM3')).toBe(true);
    expect(gpus.map((g) => g.uuid)).toEqual([
      'GPU-63d1e50a-b952-d15c-0740-12bc14859142',
      'GPU-7e7d2a20-56b8-3220-e75c-1f3185864bda',
      'GPU-20e54ffb-782f-47b6-2d6f-2641b20a4ec1',
      'GPU-8e70d727-bd2d-0723-0bf5-015d93cb90e6',
      'GPU-3d761336-f338-7808-b8d6-dc4c2d11537f',
      'GPU-7d6267d7-7109-1970-9adf-852cdf00b314',
      'GPU-f10582d0-a657-b746-3bed-366c6a014f07',
      'GPU-882ebfab-da98-c41e-357c-47272c0d560d',
    ]);
    const migs = gpus.flatMap((g) => g.migDevices);
    expect(migs).toHaveLength(56);
    expect(new Set(migs.map((m) => m.uuid)).size).toBe(56);
    expect(migs.every((m) => m.profile === '1g.10gb' && /^MIG-[0-9a-f-]{36}$/.test(m.uuid ?? ''))).toBe(true);
    expect(gpus[0]!.migDevices[0]).toEqual({
      index: 0,
      profile: '1g.10gb',
      uuid: 'MIG-4d0efb7d-0970-51d9-b761-0686be6b8af3',
    });
    expect(gpus[7]!.migDevices[6]).toEqual({
      index: 6,
      profile: '1g.10gb',
      uuid: 'MIG-bc03b921-4d24-573e-9d4b-1cdc47b1f4b4',
    });
    expect(gpus.every((g) => g.migDevices.map((m) => m.index).join() === '0,1,2,3,4,5,6')).toBe(true);
  });
  it('list-L-8xRTX2080Ti', () => {
    const gpus = parseList(readFixture('list-L-8xRTX2080Ti.txt'));
    expect(gpus.map((g) => [g.index, g.name])).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => [i, 'GeForce RTX 2080 Ti']));
    expect(gpus.map((g) => g.uuid)).toEqual([
      'GPU-9531edb1-aa3f-c370-5cdb-2e37449311f5',
      'GPU-d37e7f31-c97d-3029-8d11-c8017c6124fb',
      'GPU-8a8423f8-e6ee-330f-6c42-ba44c49e3fea',
      'GPU-22d1af79-ceba-6de5-1013-53b88ef6ef5e',
      'GPU-ee5e7fa7-9c73-582a-34f0-6f22e51d7886',
      'GPU-808bf98c-b06e-1378-5af0-31b45a968267',
      'GPU-714ee74b-10ff-18d0-6f4f-ba1b43180f16',
      'GPU-7bfd9ce9-baba-e8e5-e866-462d087ae8d1',
    ]);
    expect(gpus.every((g) => g.migDevices.length === 0)).toBe(true);
  });
});

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

describe('-q -x XML captures', () => {
  const gpu = (r: { gpus: GpuReading[] }, i: number): GpuReading => r.gpus[i]!;

  it('xml-2xA5000-processes-driver590-v13: two GPUs, v13 power, one process each', () => {
    const r = parseXml(readFixture('xml-2xA5000-processes-driver590-v13.xml'));
    expect(r).toMatchObject({ schemaVersion: 13, driverVersion: '590.44.01', cudaVersion: '13.1', attachedGpus: 2 });
    expect(r.gpus).toHaveLength(2);
    expect(gpu(r, 0)).toMatchObject({
      index: 0,
      minorNumber: 1,
      pciBusId: '00000000:81:00.0',
      uuid: 'GPU-12345678-aaaa-bbbb-cccc-0123456789ab',
      name: 'NVIDIA RTX A5000',
      powerDrawWatts: 6.41,
      powerLimitWatts: 230,
      temperatureCelsius: 13,
      fanSpeedRatio: 0.3,
    });
    expect(gpu(r, 0).memory).toMatchObject({ usedBytes: MiB(22437), totalBytes: MiB(24564) });
    expect(gpu(r, 0).utilization).toMatchObject({ gpu: 0, memory: 0 });
    expect(gpu(r, 0).processes).toEqual([
      {
        pid: 100477,
        type: 'C',
        name: '/root/src/llama.cpp/build/bin/llama-server',
        usedMemoryBytes: MiB(22430),
        gpuInstanceId: undefined,
        computeInstanceId: undefined,
        gpuUuid: 'GPU-12345678-aaaa-bbbb-cccc-0123456789ab',
      },
    ]);
    expect(gpu(r, 1)).toMatchObject({
      index: 1,
      minorNumber: 0,
      pciBusId: '00000000:C1:00.0',
      uuid: 'GPU-12345678-aaaa-bbbb-cccc-0123456789cd',
      powerDrawWatts: 13.6,
      temperatureCelsius: 15,
    });
    expect(gpu(r, 1).memory).toMatchObject({ usedBytes: MiB(17253), totalBytes: MiB(24564) });
    expect(gpu(r, 1).processes.map((p) => [p.pid, p.usedMemoryBytes])).toEqual([[100477, MiB(17246)]]);
    expect(gpu(r, 1).migEnabled).toBeUndefined();
  });

  it('xml-a100-sxm4-mig-driver510-v11: MIG, 2 instances, utilisation N/A', () => {
    const r = parseXml(readFixture('xml-a100-sxm4-mig-driver510-v11.xml'));
    expect(r).toMatchObject({ schemaVersion: 11, driverVersion: '510.47.03', attachedGpus: 1 });
    const g = one(r.gpus);
    expect(g).toMatchObject({
      index: 0,
      uuid: 'GPU-27b94a00-ed54-5c24-b1fd-1054085de32a',
      name: 'NVIDIA A100-SXM4-40GB',
      migEnabled: true,
      powerDrawWatts: 66.92,
      powerLimitWatts: 400,
      temperatureCelsius: 36,
      memoryTemperatureCelsius: 44,
    });
    expect(g.memory).toMatchObject({ usedBytes: MiB(38), totalBytes: MiB(40960) });
    expect(g.utilization).toEqual({ gpu: undefined, memory: undefined, encoder: undefined, decoder: undefined });
    expect(g.migDevices).toEqual([
      {
        index: 0,
        gpuInstanceId: 1,
        computeInstanceId: 0,
        uuid: undefined,
        multiprocessorCount: 42,
        memory: { totalBytes: MiB(19968), usedBytes: MiB(19), freeBytes: MiB(19948), reservedBytes: MiB(0) },
      },
      {
        index: 1,
        gpuInstanceId: 2,
        computeInstanceId: 0,
        uuid: undefined,
        multiprocessorCount: 42,
        memory: { totalBytes: MiB(19968), usedBytes: MiB(19), freeBytes: MiB(19948), reservedBytes: MiB(0) },
      },
    ]);
    expect(g.processes).toEqual([]);
  });

  it('xml-a100-sxm4-mig-driver535-v12: gpu_power_readings with power_draw, 4 MIG instances', () => {
    const r = parseXml(readFixture('xml-a100-sxm4-mig-driver535-v12.xml'));
    expect(r).toMatchObject({ schemaVersion: 12, driverVersion: '535.54.03', attachedGpus: 4 });
    const g = one(r.gpus); // the contributor trimmed the file to one <gpu>
    expect(g).toMatchObject({
      index: 0,
      minorNumber: 1,
      uuid: 'GPU-513536b6-7d19-9063-b049-1e69664bb298',
      name: 'NVIDIA A100-SXM4-80GB',
      migEnabled: true,
      powerDrawWatts: 67.03,
      powerLimitWatts: 500,
      temperatureCelsius: 27,
    });
    expect(g.memory).toEqual({
      totalBytes: MiB(81920),
      usedBytes: MiB(50),
      freeBytes: MiB(80999),
      reservedBytes: MiB(869),
    });
    expect(g.utilization.gpu).toBeUndefined();
    expect(
      g.migDevices.map((d) => [
        d.index,
        d.gpuInstanceId,
        d.computeInstanceId,
        d.multiprocessorCount,
        d.memory.usedBytes,
        d.memory.totalBytes,
      ]),
    ).toEqual([
      [0, 3, 0, 14, MiB(12), MiB(19968)],
      [1, 4, 0, 14, MiB(12), MiB(19968)],
      [2, 5, 0, 14, MiB(12), MiB(19968)],
      [3, 6, 0, 14, MiB(12), MiB(19968)],
    ]);
    expect(g.ecc).toEqual({
      correctedVolatile: 0,
      uncorrectedVolatile: 0,
      correctedAggregate: 0,
      uncorrectedAggregate: 0,
    });
  });

  it('xml-gtx1660ti-graphicsdevice-driver418: no DOCTYPE, old power_readings', () => {
    const r = parseXml(readFixture('xml-gtx1660ti-graphicsdevice-driver418.xml'));
    expect(r.schemaVersion).toBeUndefined();
    expect(r.driverVersion).toBe('418.43');
    const g = one(r.gpus);
    expect(g).toMatchObject({
      index: 0,
      uuid: 'GPU-304a277d-3545-63b8-3a36-dfde3c992989',
      name: 'Graphics Device',
      powerDrawWatts: 8.93,
      powerLimitWatts: 130,
      temperatureCelsius: 40,
      fanSpeedRatio: 0,
    });
    expect(g.serial).toBeUndefined();
    expect(g.memory).toEqual({ totalBytes: MiB(5912), usedBytes: 0, freeBytes: MiB(5912), reservedBytes: undefined });
    expect(g.utilization).toEqual({ gpu: 0, memory: 0.01, encoder: 0, decoder: 0 });
    expect(g.ecc.correctedVolatile).toBeUndefined();
    expect(g.migEnabled).toBeUndefined();
  });

  it('xml-rtx3060-driver570-v12: only average/instant power draw (telegraf #16569)', () => {
    const g = one(parseXml(readFixture('xml-rtx3060-driver570-v12.xml')).gpus);
    expect(g).toMatchObject({
      index: 0,
      uuid: 'GPU-d6889ff6-2523-9142-ca3c-1ca3f396a625',
      name: 'NVIDIA GeForce RTX 3060',
      powerDrawWatts: 11.6,
      powerLimitWatts: 170,
      temperatureCelsius: 42,
    });
    expect(g.memory).toMatchObject({ usedBytes: MiB(116), totalBytes: MiB(12288) });
    expect(g.utilization.gpu).toBe(0);
  });

  it('xml-rtx4000-sff-ada-processes-driver595-v13: deprecated values undefined, 4 processes', () => {
    const r = parseXml(readFixture('xml-rtx4000-sff-ada-processes-driver595-v13.xml'));
    expect(r.schemaVersion).toBe(13);
    const g = one(r.gpus);
    expect(g).toMatchObject({
      index: 0,
      uuid: 'GPU-37037c3f-65c8-ec4d-24a9-420204ad8026',
      name: 'NVIDIA RTX 4000 SFF Ada Generation',
      powerDrawWatts: 8.81,
      powerLimitWatts: 70,
      temperatureCelsius: 38,
      fanSpeedRatio: 0.3,
      serial: 'REDACTED',
    });
    expect(g.memory).toMatchObject({ usedBytes: MiB(3534), totalBytes: MiB(20475) });
    expect(g.utilization).toEqual({ gpu: 0, memory: 0.37, encoder: 0, decoder: 0 });
    expect(g.ecc).toEqual({
      correctedVolatile: undefined,
      uncorrectedVolatile: undefined,
      correctedAggregate: undefined,
      uncorrectedAggregate: undefined,
    });
    expect(g.processes.map((p) => [p.pid, p.type, p.name, p.usedMemoryBytes])).toEqual([
      [1842, 'G', 'cosmic-comp', MiB(410)],
      [3190, 'G', '/usr/bin/code', MiB(451)],
      [4937, 'C', 'python', MiB(160)],
      [34626, 'C+G', '/usr/lib/chromium/chromium', MiB(183)],
    ]);
  });

  it('xml-tesla-t4-processes-driver515-v11: 2 processes, no fan', () => {
    const g = one(parseXml(readFixture('xml-tesla-t4-processes-driver515-v11.xml')).gpus);
    expect(g).toMatchObject({
      index: 0,
      uuid: 'GPU-d37e67a5-91dd-3774-a5cb-99096249601a',
      name: 'Tesla T4',
      powerDrawWatts: 26.78,
      powerLimitWatts: 70,
      temperatureCelsius: 40,
    });
    expect(g.fanSpeedRatio).toBeUndefined();
    expect(g.memory).toMatchObject({ usedBytes: MiB(1032), totalBytes: MiB(15360) });
    expect(g.processes.map((p) => [p.pid, p.type, p.name, p.usedMemoryBytes])).toEqual([
      [675, 'G', '/usr/lib/xorg/Xorg', MiB(22)],
      [5762, 'C', 'python', MiB(1005)],
    ]);
  });

  it('xml-win-rtx2080-26processes-driver516-v11: 26 C+G processes, memory N/A (undefined)', () => {
    const g = one(parseXml(readFixture('xml-win-rtx2080-26processes-driver516-v11.xml')).gpus);
    expect(g).toMatchObject({
      index: 0,
      uuid: 'GPU-fbd55ed4-1eec-4423-0a47-ad594b4333e3',
      name: 'NVIDIA GeForce RTX 2080',
      powerDrawWatts: 14.5,
      powerLimitWatts: 275,
      temperatureCelsius: 29,
      fanSpeedRatio: 0.37,
    });
    expect(g.minorNumber).toBeUndefined();
    expect(g.memory).toMatchObject({ usedBytes: MiB(862), totalBytes: MiB(8192) });
    expect(g.utilization).toMatchObject({ gpu: 0.02, memory: 0.07 });
    expect(g.processes).toHaveLength(26);
    expect(g.processes.every((p) => p.type === 'C+G' && p.usedMemoryBytes === undefined)).toBe(true);
    expect(g.processes[0]!.pid).toBe(7724);
    expect(g.processes[1]).toMatchObject({ pid: 10808, name: undefined });
  });
});
