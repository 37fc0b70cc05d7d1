// Every capture in test/fixtures parses, with exact values per GPU (index, uuid, name, memory,
// utilisation or its absence, power, temperature, MIG instances, processes). This suite holds the
// multi-section captures, which span several parsers; a capture of one format is tested beside its
// parser (csv, xml, list, table .test.ts). Values were read off the raw files by hand; units are
// normalised (bytes, ratio, W, Hz, °C).
import { describe, expect, it } from 'vitest';
import { captureNames, captureSections, readFixture } from '../test/captures.js';
import { MHz, MiB, one, section, ZERO_UUID } from '../test/helpers.js';
import {
  parseComputeAppsCsv,
  parseHelpQueryGpu,
  parseList,
  parseQueryGpuCsv,
  parseTable,
  withListInfo,
} from './index.js';

describe('fixture inventory', () => {
  it('every capture file is covered by a test (here, or beside its parser)', () => {
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
