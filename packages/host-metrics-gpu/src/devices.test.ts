import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseList, parseQueryGpuCsv, parseTable, parseXml } from '@mltel/nvidia-smi-parser';
import { fixture, MiB } from '../test/harness.js';
import { devicesOf, migNamesOf } from './devices.js';

const read = (name: string): string => readFileSync(fixture(name), 'utf8');

/** The output of the section of a multi-section capture that follows the header naming `title`. */
function capture(name: string, title: string): string {
  const lines = read(name).split('\n');
  const at = lines.indexOf(`# ${title}`);
  const start = at + 3; // title, command, rule
  const end = lines.findIndex((l, i) => i > start && l.startsWith('#####'));
  return lines.slice(start, end).join('\n');
}

const H100 = 'capture-multi-h100-mig-4instances-driver590.txt';

describe('migNamesOf', () => {
  it('keys every MIG device of -L by GPU UUID and by GPU index (8× H100, 56 instances)', () => {
    const names = migNamesOf(parseList(read('list-L-8xH100-mig-56instances.txt')));
    expect(names.size).toBe(112);
    expect(names.get('GPU-63d1e50a-b952-d15c-0740-12bc14859142/0')).toEqual({
      uuid: 'MIG-4d0efb7d-0970-51d9-b761-0686be6b8af3',
      profile: '1g.10gb',
    });
    expect(names.get('#7/6')).toEqual({ uuid: 'MIG-bc03b921-4d24-573e-9d4b-1cdc47b1f4b4', profile: '1g.10gb' });
    expect(names.get('#8/0')).toBeUndefined();
  });

  it('is empty for GPUs without MIG', () => {
    expect(migNamesOf(parseList(read('list-L-8xRTX2080Ti.txt'))).size).toBe(0);
  });
});

describe('devicesOf', () => {
  it('one device per GPU, then one per MIG instance named and profiled by -L (H100 table, 4 instances)', () => {
    const table = parseTable(capture(H100, 'load :: nvidia-smi (default table)'));
    const names = migNamesOf(parseList(capture(H100, 'capabilities :: list (-L)')));
    const devices = devicesOf(table.gpus, names, table.driverVersion);
    expect(devices.map((d) => [d.id, d.name, d.model, d.driverVersion, d.index, d.migIndex, d.parentId])).toEqual([
      ['GPU-index-0', 'GPU 0', 'NVIDIA H100 80GB HBM3', '590.48.01', 0, undefined, undefined],
      [
        'MIG-00000000-0000-0000-0000-000000000000',
        'GPU 0 MIG 0',
        'NVIDIA H100 80GB HBM3 MIG 3g.40gb',
        '590.48.01',
        0,
        0,
        'GPU-index-0',
      ],
      [
        'MIG-00000001-0000-0000-0000-000000000001',
        'GPU 0 MIG 1',
        'NVIDIA H100 80GB HBM3 MIG 2g.20gb',
        '590.48.01',
        0,
        1,
        'GPU-index-0',
      ],
      [
        'MIG-00000002-0000-0000-0000-000000000002',
        'GPU 0 MIG 2',
        'NVIDIA H100 80GB HBM3 MIG 1g.10gb',
        '590.48.01',
        0,
        2,
        'GPU-index-0',
      ],
      [
        'MIG-00000003-0000-0000-0000-000000000003',
        'GPU 0 MIG 3',
        'NVIDIA H100 80GB HBM3 MIG 1g.10gb',
        '590.48.01',
        0,
        3,
        'GPU-index-0',
      ],
    ]);
    expect(devices.map((d) => d.memory.usedBytes)).toEqual([11125 * MiB, 11091 * MiB, 17 * MiB, 9 * MiB, 9 * MiB]);
    // Every process runs on GPU instance 2 (MIG 0); none is left on the whole GPU.
    expect(devices.map((d) => d.processes.map((p) => p.pid))).toEqual([[], [21180, 21181, 21198], [], [], []]);
    // Instances carry memory only.
    expect(devices[1]).toMatchObject({ utilization: {}, ecc: {}, clocks: {} });
    expect(devices[1]!.powerDrawWatts).toBeUndefined();
    expect(devices[0]!.powerDrawWatts).toBe(432);
  });

  it('an instance -L did not name gets the pre-R470 id MIG-<GPU UUID>/<gi>/<ci>, and unknownMig is called', () => {
    const xml = parseXml(read('xml-a100-sxm4-mig-driver535-v12.xml'));
    let unknown = 0;
    const devices = devicesOf(xml.gpus, new Map(), xml.driverVersion, () => unknown++);
    const gpu = 'GPU-513536b6-7d19-9063-b049-1e69664bb298';
    expect(devices.map((d) => [d.id, d.name, d.model])).toEqual([
      [gpu, 'GPU 0', 'NVIDIA A100-SXM4-80GB'],
      [`MIG-${gpu}/3/0`, 'GPU 0 MIG 0', 'NVIDIA A100-SXM4-80GB MIG'],
      [`MIG-${gpu}/4/0`, 'GPU 0 MIG 1', 'NVIDIA A100-SXM4-80GB MIG'],
      [`MIG-${gpu}/5/0`, 'GPU 0 MIG 2', 'NVIDIA A100-SXM4-80GB MIG'],
      [`MIG-${gpu}/6/0`, 'GPU 0 MIG 3', 'NVIDIA A100-SXM4-80GB MIG'],
    ]);
    expect(devices.map((d) => d.driverVersion)).toEqual(Array(5).fill('535.54.03'));
    expect(devices[1]!.memory).toEqual({
      totalBytes: 19968 * MiB,
      usedBytes: 12 * MiB,
      freeBytes: 19955 * MiB,
      reservedBytes: 0 * MiB,
    });
    expect(unknown).toBe(4);
  });

  it('GPUs without a UUID or an index: GPU-index-<n> and the position (8× RTX 2080 Ti table, P100 CSV)', () => {
    const table = parseTable(read('table-8xRTX2080Ti-processes-fanERR-driver418.txt'));
    const devices = devicesOf(table.gpus, new Map(), table.driverVersion);
    expect(devices.map((d) => d.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => `GPU-index-${i}`));
    expect(devices[7]).toMatchObject({ name: 'GPU 7', driverVersion: '418.87.01', temperatureCelsius: 37 });
    expect(devices[7]!.fanSpeedRatio).toBeUndefined();
    expect(devices.map((d) => d.processes.length)).toEqual([1, 0, 1, 0, 0, 0, 1, 1]);
    const [p100] = devicesOf(parseQueryGpuCsv(read('csv-nounits-tesla-p100-driver510.csv')), new Map());
    expect(p100).toMatchObject({
      id: 'GPU-ef1b2c9b-38d8-2090-2bd1-f567a3eb42a6',
      name: 'GPU 0',
      index: 0,
      model: 'Tesla P100-PCIE-16GB',
      powerDrawWatts: 28.16,
    });
    expect(p100!.driverVersion).toBeUndefined();
  });
});
