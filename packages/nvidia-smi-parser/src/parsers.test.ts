// Failure outputs, absent values, noheader/nounits CSV, field negotiation, and edge cases of
// each parser. Fixture texts come from test/fixtures (synthetic/ ones are labelled there).
import { describe, expect, it } from 'vitest';
import { captureSections, readFixture, syntheticNames } from '../test/captures.js';
import {
  NvidiaSmiError,
  QUERY_GPU_FIELDS,
  canonicalField,
  detectFailure,
  negotiateFields,
  parseComputeAppsCsv,
  parseHelpQueryGpu,
  parseList,
  parseQueryGpuCsv,
  parseQueryGpuCsvPartial,
  parseTable,
  parseXml,
  type NvidiaSmiFailureReason,
} from './index.js';

const MiB = (n: number): number => n * 1048576;
const P100_FIELDS =
  'name,uuid,fan.speed,pstate,memory.reserved,memory.used,memory.free,utilization.gpu,utilization.memory,temperature.gpu,power.draw,clocks.current.graphics,clocks.current.sm,clocks.current.memory,clocks.current.video'.split(
    ',',
  );

function thrown(fn: () => unknown): NvidiaSmiError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(NvidiaSmiError);
    return err as NvidiaSmiError;
  }
  throw new Error('expected a throw');
}

describe('known failure outputs (synthetic fixtures)', () => {
  const cases: Array<[string, NvidiaSmiFailureReason]> = [
    ['synthetic/error-driver-not-loaded.txt', 'driver-not-loaded'],
    ['synthetic/error-driver-mismatch.txt', 'driver-mismatch'],
    ['synthetic/error-gpu-lost.txt', 'gpu-lost'],
    ['synthetic/error-no-devices.txt', 'no-devices'],
    ['synthetic/error-invalid-field.txt', 'invalid-field'],
  ];
  it('the list covers every error fixture', () => {
    expect(syntheticNames().filter((n) => n.includes('/error-'))).toEqual(cases.map((c) => c[0]).sort());
  });
  it.each(cases)('%s → %s, from detectFailure and from every parser, with the original text', (name, reason) => {
    const out = readFixture(name);
    const d = detectFailure(out);
    expect(d?.reason).toBe(reason);
    expect(d?.output).toBe(out);
    expect(d?.message.length).toBeGreaterThan(10);
    for (const parse of [
      () => parseQueryGpuCsv(out),
      () => parseQueryGpuCsv(out, P100_FIELDS),
      () => parseComputeAppsCsv(out),
      () => parseXml(out),
      () => parseHelpQueryGpu(out),
      () => parseList(out),
      () => parseTable(out),
    ]) {
      const e = thrown(parse);
      expect(e.reason).toBe(reason);
      expect(e.output).toBe(out);
    }
  });
  it('the invalid field is named in the message', () => {
    expect(detectFailure(readFixture('synthetic/error-invalid-field.txt'))?.message).toContain(
      'clocks_event_reasons.active',
    );
  });
  it('a gpu-lost line inside CSV output: strict parse throws gpu-lost, the partial parse keeps the healthy GPU', () => {
    const out = readFixture('synthetic/csv-nounits-gpu-lost-mid-output.csv');
    expect(detectFailure(out)?.reason).toBe('gpu-lost');
    expect(thrown(() => parseQueryGpuCsv(out)).reason).toBe('gpu-lost');
    const partial = parseQueryGpuCsvPartial(out);
    expect(partial.items.map((g) => g.uuid)).toEqual(['GPU-ef1b2c9b-38d8-2090-2bd1-f567a3eb42a6']);
    expect(partial.failures.map((f) => f.reason)).toEqual(['gpu-lost']);
  });
  it('normal outputs are not failures', () => {
    for (const name of [
      'csv-nounits-tesla-p100-driver510.csv',
      'xml-tesla-t4-processes-driver515-v11.xml',
      'list-L-8xRTX2080Ti.txt',
      'table-8xRTX2080Ti-processes-fanERR-driver418.txt',
    ]) {
      expect(detectFailure(readFixture(name))).toBeUndefined();
    }
    // A failure text inside a CSV row is a value, not a failure line.
    expect(detectFailure('1, No devices were found, 3')).toBeUndefined();
    expect(detectFailure('')).toBeUndefined();
  });
  it('other NVML start-up failures are driver-not-loaded; "GPU is lost" is gpu-lost', () => {
    expect(detectFailure('Failed to initialize NVML: Unknown Error\n')?.reason).toBe('driver-not-loaded');
    expect(detectFailure("NVIDIA-SMI couldn't find libnvidia-ml.so library in your system.")?.reason).toBe(
      'driver-not-loaded',
    );
    expect(
      detectFailure(
        'Unable to determine the device handle for GPU 0000:41:00.0: GPU is lost.  Reboot the system to recover this GPU',
      )?.reason,
    ).toBe('gpu-lost');
  });
  it('garbage is malformed', () => {
    for (const parse of [
      () => parseQueryGpuCsv('hello world\n'),
      () => parseQueryGpuCsv('x', ['index', 'uuid']),
      () => parseXml('<html/>'),
      () => parseXml('<nvidia_smi_log><gpu>'),
      () => parseHelpQueryGpu('nope'),
      () => parseList('GPU zero'),
      () => parseTable('+----+'),
      () => parseQueryGpuCsv(''),
    ]) {
      expect(thrown(parse).reason).toBe('malformed');
    }
  });
});

describe('--query-gpu CSV variants', () => {
  it('noheader,nounits with the field list (synthetic two-GPU output)', () => {
    const gpus = parseQueryGpuCsv(readFixture('synthetic/csv-noheader-nounits-2xtesla-p100.csv'), P100_FIELDS);
    expect(
      gpus.map((g) => [
        g.uuid,
        g.memory.usedBytes,
        g.utilization.gpu,
        g.utilization.memory,
        g.powerDrawWatts,
        g.temperatureCelsius,
        g.fanSpeedRatio,
      ]),
    ).toEqual([
      ['GPU-ef1b2c9b-38d8-2090-2bd1-f567a3eb42a6', 0, 0, 0, 28.16, 37, undefined],
      ['GPU-0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0', MiB(12034), 0.87, 0.41, 182.5, 64, undefined],
    ]);
  });
  it('noheader output without the field list is malformed, not guessed', () => {
    expect(thrown(() => parseQueryGpuCsv(readFixture('synthetic/csv-noheader-nounits-2xtesla-p100.csv'))).reason).toBe(
      'malformed',
    );
  });
  it('with header, the field list is optional and a header is recognised when fields are given', () => {
    const text = readFixture('csv-nounits-tesla-p100-driver510.csv');
    expect(parseQueryGpuCsv(text, P100_FIELDS)).toEqual(parseQueryGpuCsv(text));
  });
  it('every absent marker is undefined, never 0', () => {
    const markers = [
      '[N/A]',
      'N/A',
      '[Not Supported]',
      '[Requested functionality has been deprecated]',
      'ERR!',
      'ERR%',
      '[Unknown Error]',
      '[Insufficient Permissions]',
      '[GPU requires reset]',
      '[Function Not Found]',
      '',
    ];
    for (const m of markers) {
      const [g] = parseQueryGpuCsv(
        `index, memory.used [MiB], utilization.gpu [%], power.draw [W], temperature.gpu, fan.speed [%], clocks.current.sm [MHz]\n0, ${m}, ${m}, ${m}, ${m}, ${m}, ${m}\n`,
      );
      expect(g!.index).toBe(0);
      expect([
        g!.memory.usedBytes,
        g!.utilization.gpu,
        g!.powerDrawWatts,
        g!.temperatureCelsius,
        g!.fanSpeedRatio,
        g!.clocks.sm,
      ]).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
    }
  });
  it('out-of-range values are dropped: a ratio above 100 %, negative bytes, a unit of the wrong kind', () => {
    const [g] = parseQueryGpuCsv('index, utilization.gpu, memory.used, power.draw\n0, 140 %, -5 MiB, 12 MHz\n');
    expect([g!.utilization.gpu, g!.memory.usedBytes, g!.powerDrawWatts]).toEqual([undefined, undefined, undefined]);
  });
  it('old clocks_throttle_reasons names and aliases map like the current names', () => {
    expect(canonicalField('clocks_throttle_reasons.active')).toBe('clocks_event_reasons.active');
    expect(canonicalField('clocks.gr [MHz]')).toBe('clocks.current.graphics');
    const [g] = parseQueryGpuCsv('gpu_name, gpu_uuid, clocks.sm [MHz]\nA100, GPU-1, 1410 MHz\n');
    expect(g).toMatchObject({ name: 'A100', uuid: 'GPU-1', clocks: { sm: 1410e6 } });
  });
  it('a comma inside a process name is glued back', () => {
    const apps = parseComputeAppsCsv('pid, process_name, used_gpu_memory [MiB]\n42, /opt/a, b/run, 10 MiB\n');
    expect(apps).toEqual([{ pid: 42, name: '/opt/a, b/run', usedMemoryBytes: MiB(10), gpuUuid: undefined }]);
  });
  it('compute apps noheader: empty output is no processes; rows need the field list', () => {
    expect(parseComputeAppsCsv('', ['pid', 'used_memory'])).toEqual([]);
    expect(parseComputeAppsCsv('7, 1 MiB\n', ['pid', 'used_memory'])).toEqual([
      { pid: 7, name: undefined, usedMemoryBytes: MiB(1), gpuUuid: undefined },
    ]);
  });
  it('a row with the wrong number of values is malformed', () => {
    expect(thrown(() => parseQueryGpuCsv('index, uuid\n0\n')).reason).toBe('malformed');
  });
});

describe('field negotiation against --help-query-gpu', () => {
  const old = parseHelpQueryGpu(
    captureSections(readFixture('capture-multi-ubuntu-rtx2080super-driver465.txt'))[2]!.output,
  );
  const h100 = parseHelpQueryGpu(
    captureSections(readFixture('capture-multi-h100-mig-4instances-driver590.txt')).find(
      (s) => s.args[0] === '--help-query-gpu',
    )!.output,
  );

  it('help parsing: names, aliases, descriptions, section lines skipped', () => {
    expect(old).toHaveLength(115);
    expect(h100).toHaveLength(212);
    expect(h100.find((f) => f.name === 'name')).toEqual({
      name: 'name',
      aliases: ['gpu_name'],
      description: 'The official product name of the GPU. This is an alphanumeric string. For all products.',
    });
    expect(h100.find((f) => f.name === 'clocks_event_reasons.active')?.aliases).toEqual([
      'clocks_throttle_reasons.active',
    ]);
    expect(h100.some((f) => f.name.startsWith('Section'))).toBe(false);
    const apps = parseHelpQueryGpu(
      captureSections(readFixture('capture-multi-h100-mig-4instances-driver590.txt')).find(
        (s) => s.args[0] === '--help-query-compute-apps',
      )!.output,
    );
    expect(apps.map((f) => [f.name, f.aliases])).toEqual([
      ['timestamp', []],
      ['gpu_name', []],
      ['gpu_bus_id', []],
      ['gpu_serial', []],
      ['gpu_uuid', []],
      ['pid', []],
      ['process_name', ['name']],
      ['used_gpu_memory', ['used_memory']],
    ]);
  });
  it('driver 465: new names fall back to old ones, newer fields are left out', () => {
    const n = negotiateFields([...QUERY_GPU_FIELDS, 'clocks_event_reasons.active'], old);
    expect(n.fields).toContain('clocks_throttle_reasons.active');
    expect(n.renamed).toEqual({ 'clocks_throttle_reasons.active': 'clocks_event_reasons.active' });
    expect(n.unsupported).toEqual([
      'memory.reserved',
      'utilization.encoder',
      'utilization.decoder',
      'power.draw.average',
      'power.draw.instant',
    ]);
    expect(n.fields).toEqual(
      QUERY_GPU_FIELDS.filter((f) => !n.unsupported.includes(f)).concat('clocks_throttle_reasons.active'),
    );
    // What 465 accepts parses: the 465 capture's own CSV under the negotiated names.
    const csv = captureSections(readFixture('capture-multi-ubuntu-rtx2080super-driver465.txt'))[1]!.output;
    expect(parseQueryGpuCsv(csv)[0]!.utilization.gpu).toBe(0);
  });
  it('driver 590: everything the records map is accepted as is', () => {
    const n = negotiateFields(QUERY_GPU_FIELDS, h100);
    expect(n).toEqual({ fields: [...QUERY_GPU_FIELDS], renamed: {}, unsupported: [] });
    expect(negotiateFields(['clocks_throttle_reasons.active', 'gpu_name', 'no.such.field'], h100)).toEqual({
      fields: ['clocks_throttle_reasons.active', 'gpu_name'],
      renamed: {},
      unsupported: ['no.such.field'],
    });
  });
});

describe('-L and table edge cases', () => {
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
  it('table with no running processes', () => {
    const h100 = captureSections(readFixture('capture-multi-h100-mig-4instances-driver590.txt')).find(
      (s) => s.title === 'idle :: nvidia-smi (default table)',
    )!;
    expect(h100.output).toContain('No running processes found');
    expect(parseTable(h100.output).gpus[0]!.processes).toEqual([]);
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
