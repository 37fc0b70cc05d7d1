// parseList (-L / --list-gpus) and withListInfo: the real -L captures with exact values, the
// drivers 450-460 MIG UUID form, and what -L adds to the table's readings.
import { describe, expect, it } from 'vitest';
import { readFixture } from '../test/captures.js';
import { section, thrown } from '../test/helpers.js';
import { parseList, withListInfo } from './list.js';
import { parseTable } from './table.js';
import { parseXml } from './xml.js';

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

describe('-L edge cases', () => {
  it('-L of drivers 450-460 (MIG UUID with slashes) and without UUIDs', () => {
    expect(
      parseList(
        'GPU 0: A100-SXM4-40GB (UUID: GPU-abc)\n  MIG 1g.5gb Device 0: (UUID: MIG-GPU-abc/7/0)\nGPU 1: Tesla T4\n',
      ),
    ).toEqual([
      {
        index: 0,
        name: 'A100-SXM4-40GB',
        uuid: 'GPU-abc',
        migDevices: [{ index: 0, profile: '1g.5gb', uuid: 'MIG-GPU-abc/7/0' }],
      },
      { index: 1, name: 'Tesla T4', migDevices: [] },
    ]);
  });

  it('a line that is neither a GPU nor one of its MIG devices fails the listing', () => {
    expect(thrown(() => parseList('GPU 0: Tesla T4 (UUID: GPU-1)\nsomething else\n')).reason).toBe('malformed');
    expect(thrown(() => parseList('  MIG 1g.5gb Device 0: (UUID: MIG-1)\n')).reason).toBe('malformed');
    expect(thrown(() => parseList('GPU 0: Tesla T4 (UUID: GPU 1)\n')).reason).toBe('malformed');
    expect(thrown(() => parseList('\n\n')).reason).toBe('malformed');
    expect(thrown(() => parseList(readFixture('synthetic/error-no-devices.txt'))).reason).toBe('no-devices');
  });
});

describe('withListInfo', () => {
  it('fills the MIG UUIDs and profiles of the A100 XML (driver 510 gives neither) by GPU and MIG index', () => {
    const xml = parseXml(readFixture('xml-a100-sxm4-mig-driver510-v11.xml'));
    const listed = parseList(readFixture('list-L-8xH100-mig-56instances.txt'));
    const [gpu] = withListInfo(xml.gpus, listed);
    // The XML's own UUID and name are kept; -L only fills what is missing.
    expect(gpu!.uuid).toBe('GPU-27b94a00-ed54-5c24-b1fd-1054085de32a');
    expect(gpu!.name).toBe('NVIDIA A100-SXM4-40GB');
    expect(gpu!.migDevices.map((d) => [d.index, d.uuid, d.profile])).toEqual([
      [0, 'MIG-4d0efb7d-0970-51d9-b761-0686be6b8af3', '1g.10gb'],
      [1, listed[0]!.migDevices[1]!.uuid, '1g.10gb'],
    ]);
    expect(xml.gpus[0]!.migDevices[0]!.uuid).toBeUndefined(); // the input is not changed
  });

  it('leaves readings without a matching index as they are', () => {
    const file = 'capture-multi-rtx4080super-driver595.txt';
    const table = parseTable(section(file, 'load :: nvidia-smi (default table)').output);
    const elsewhere = [{ index: 5, name: 'NVIDIA GeForce RTX 4080 SUPER', migDevices: [] }];
    expect(withListInfo(table.gpus, elsewhere)[0]).toBe(table.gpus[0]);
    expect(withListInfo(table.gpus, [])[0]!.name).toBe('NVIDIA GeForce RTX 4080 ...');
  });
});
