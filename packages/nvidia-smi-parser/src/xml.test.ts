// parseXml (-q -x): every real XML capture with exact values per GPU, and the schema details
// (v13 ECC counters, the pre-v11 ECC layout, entities, truncated documents).
import { describe, expect, it } from 'vitest';
import { readFixture } from '../test/captures.js';
import { one, thrown, MiB } from '../test/helpers.js';
import type { GpuReading } from './types.js';
import { parseXml } from './xml.js';

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

describe('-q -x schema details', () => {
  const v13 = readFixture('xml-rtx4000-sff-ada-processes-driver595-v13.xml');

  it('v13 ECC: sram_uncorrectable_parity + _secded + dram_uncorrectable are summed', () => {
    // The capture's ECC counters are all N/A (no ECC on that card): give them values.
    let n = 0;
    const withEcc = v13.replace(/<ecc_errors>[\s\S]*?<\/ecc_errors>/, (block) =>
      block.replace(
        /<(sram_correctable|sram_uncorrectable_parity|sram_uncorrectable_secded|dram_correctable|dram_uncorrectable)>N\/A</g,
        (_m, tag: string) => `<${tag}>${++n}<`,
      ),
    );
    expect(n).toBe(10);
    // volatile: 1 (sram corr), 2 + 3 (sram uncorr parity/secded), 4 (dram corr), 5 (dram uncorr)
    expect(parseXml(withEcc).gpus[0]!.ecc).toEqual({
      correctedVolatile: 1 + 4,
      uncorrectedVolatile: 2 + 3 + 5,
      correctedAggregate: 6 + 9,
      uncorrectedAggregate: 7 + 8 + 10,
    });
  });

  it('pre-v11 ECC layout (single_bit / double_bit totals)', () => {
    const old = readFixture('xml-gtx1660ti-graphicsdevice-driver418.xml').replace(
      /<ecc_errors>[\s\S]*?<\/ecc_errors>/,
      '<ecc_errors><volatile><single_bit><device_memory>1</device_memory><total>3</total></single_bit><double_bit><total>0</total></double_bit></volatile><aggregate><single_bit><total>N/A</total></single_bit><double_bit><total>2</total></double_bit></aggregate></ecc_errors>',
    );
    expect(parseXml(old).gpus[0]!.ecc).toEqual({
      correctedVolatile: 3,
      uncorrectedVolatile: 0,
      correctedAggregate: undefined,
      uncorrectedAggregate: 2,
    });
  });

  it('entities in process names are decoded', () => {
    const xml = v13.replace('<process_name>python</process_name>', '<process_name>a &amp; b &lt;c&gt;</process_name>');
    expect(parseXml(xml).gpus[0]!.processes[2]!.name).toBe('a & b <c>');
  });

  it('a document cut off mid-way (killed run) is malformed, not half a GPU', () => {
    expect(thrown(() => parseXml(v13.slice(0, v13.length / 2))).reason).toBe('malformed');
  });
});

describe('-q -x failures', () => {
  it('anything but text holding <nvidia_smi_log> is malformed (or the failure it shows)', () => {
    expect(thrown(() => parseXml(undefined as never)).reason).toBe('malformed');
    expect(thrown(() => parseXml(readFixture('synthetic/error-gpu-lost.txt'))).reason).toBe('gpu-lost');
  });

  it('inline entity definitions are capped (expansion bombs): invalid XML, malformed', () => {
    const entities = Array.from({ length: 17 }, (_, i) => `<!ENTITY e${i} "x">`).join('');
    const many = thrown(() =>
      parseXml(
        `<?xml version="1.0"?><!DOCTYPE nvidia_smi_log [${entities}]><nvidia_smi_log><driver_version>&e1;</driver_version></nvidia_smi_log>`,
      ),
    );
    expect([many.reason, many.message]).toEqual([
      'malformed',
      'invalid XML: Entity count (17) exceeds maximum allowed (16)',
    ]);
    const big = `<!ENTITY big "${'y'.repeat(300)}">`;
    const large = thrown(() =>
      parseXml(
        `<?xml version="1.0"?><!DOCTYPE nvidia_smi_log [${big}]><nvidia_smi_log><driver_version>&big;</driver_version></nvidia_smi_log>`,
      ),
    );
    expect(large.message).toBe('invalid XML: Entity "big" size (300) exceeds maximum allowed size (256)');
  });

  it('a log without <gpu> elements is a report of no GPUs, not a failure', () => {
    const r = parseXml(
      '<?xml version="1.0" ?>\n<nvidia_smi_log><driver_version>535.54.03</driver_version><attached_gpus>0</attached_gpus></nvidia_smi_log>\n',
    );
    expect(r).toEqual({
      schemaVersion: undefined,
      timestamp: undefined,
      driverVersion: '535.54.03',
      cudaVersion: undefined,
      attachedGpus: 0,
      gpus: [],
    });
  });

  it('the GPU of the 2080 Windows capture reads its bus id from the <gpu id> attribute', () => {
    const g = one(parseXml(readFixture('xml-win-rtx2080-26processes-driver516-v11.xml')).gpus);
    expect(g.pciBusId).toBe('00000000:0A:00.0');
    expect(g.memory.totalBytes).toBe(MiB(8192));
  });
});
