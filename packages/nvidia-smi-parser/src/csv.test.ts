// The CSV parsers (--query-gpu, --query-compute-apps): real standalone captures with exact
// values, header and noheader/nounits variants, absent markers, the partial parsers.
import { describe, expect, it } from 'vitest';
import { readFixture } from '../test/captures.js';
import { MHz, MiB, one, P100_FIELDS, section, thrown, ZERO_UUID } from '../test/helpers.js';
import { parseComputeAppsCsv, parseComputeAppsCsvPartial, parseQueryGpuCsv, parseQueryGpuCsvPartial } from './csv.js';
import { NvidiaSmiError } from './errors.js';
import { canonicalField } from './fields.js';

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

describe('partial parsers', () => {
  it('parseQueryGpuCsvPartial keeps the good rows beside a row of the wrong width', () => {
    const text = readFixture('csv-nounits-tesla-p100-driver510.csv').replace(/\n?$/, '\nTesla P100, GPU-2\n');
    const r = parseQueryGpuCsvPartial(text);
    expect(r.items.map((g) => [g.uuid, g.powerDrawWatts])).toEqual([
      ['GPU-ef1b2c9b-38d8-2090-2bd1-f567a3eb42a6', 28.16],
    ]);
    expect(r.failures.map((f) => [f.reason, f.message])).toEqual([
      ['malformed', '--query-gpu: row 3 has 2 values for 15 columns'],
    ]);
    expect(parseQueryGpuCsvPartial('').failures.map((f) => f.message)).toEqual([
      '--query-gpu: no GPU rows in the output',
    ]);
  });

  it('parseComputeAppsCsvPartial: the L40S load capture, and a header with a repeated column', () => {
    const apps = section('capture-multi-l40s-driver595.txt', 'load :: query-compute-apps (per-process)').output;
    expect(parseComputeAppsCsvPartial(apps)).toEqual({
      items: [
        { pid: 20037, name: 'ffmpeg', usedMemoryBytes: MiB(538), gpuUuid: ZERO_UUID },
        { pid: 20038, name: 'ffmpeg', usedMemoryBytes: MiB(681), gpuUuid: ZERO_UUID },
      ],
      failures: [],
    });
    const repeated = parseComputeAppsCsvPartial('pid, name, process_name\n1, a, b\n');
    expect(repeated.items).toEqual([]);
    expect(repeated.failures.map((f) => f.message)).toEqual([
      '--query-compute-apps: header has empty or repeated columns',
    ]);
  });

  it('the H100 load row of the 212-field query under MIG: exact memory and clocks', () => {
    const gpu = one(
      parseQueryGpuCsv(
        section('capture-multi-h100-mig-4instances-driver590.txt', 'load :: query-gpu (csv, what the exporter parses)')
          .output,
      ),
    );
    expect(gpu).toMatchObject({
      index: 0,
      uuid: ZERO_UUID,
      name: 'NVIDIA H100 80GB HBM3',
      driverVersion: '590.48.01',
      powerDrawWatts: 433.78,
      powerLimitWatts: 700,
      temperatureCelsius: 53,
      migEnabled: true,
      migDevices: [],
      processes: [],
    });
    expect(gpu.memory).toEqual({
      totalBytes: MiB(81559),
      usedBytes: MiB(11125),
      freeBytes: MiB(69956),
      reservedBytes: MiB(479),
    });
    expect(gpu.utilization.gpu).toBeUndefined();
    expect(gpu.clocks).toEqual({ graphics: MHz(1980), sm: MHz(1980), memory: MHz(2619), video: MHz(1545) });
  });
});

describe('arguments of the wrong type', () => {
  const HEADER = 'index, name\n0, A\n';
  const revoked = Proxy.revocable([], {});
  revoked.revoke();
  const badFields: [string, unknown][] = [
    ['a number', 5],
    ['a string', 'index,name'],
    ['an object', {}],
    ['numbers in the list', [1, 2]],
    ['null in the list', ['index', null]],
    [
      'a list whose element getter throws',
      Object.defineProperty(['index'], 0, {
        get: () => {
          throw new Error('getter');
        },
      }),
    ],
    ['a revoked Proxy', revoked.proxy],
  ];
  const badTexts: [string, unknown][] = [
    ['a number', 5],
    ['null', null],
    ['a Buffer', Buffer.from(HEADER)],
    [
      'an object whose toString throws',
      {
        toString: () => {
          throw new Error('toString');
        },
      },
    ],
    ['a Symbol', Symbol('s')],
  ];

  it.each(badFields)('the throwing parsers throw NvidiaSmiError(malformed) for fields as %s', (_label, fields) => {
    for (const parse of [parseQueryGpuCsv, parseComputeAppsCsv]) {
      const error = thrown(() => parse(HEADER, fields as string[]));
      expect(error).toBeInstanceOf(NvidiaSmiError);
      expect(error).toMatchObject({ reason: 'malformed', output: HEADER });
      expect((error as Error).message).toMatch(/: fields must be an array of strings, got /);
    }
  });

  it.each(badTexts)('the throwing parsers throw NvidiaSmiError(malformed) for output as %s', (_label, text) => {
    for (const parse of [parseQueryGpuCsv, parseComputeAppsCsv]) {
      const error = thrown(() => parse(text as string));
      expect(error).toBeInstanceOf(NvidiaSmiError);
      expect(error).toMatchObject({ reason: 'malformed', output: '' });
      expect((error as Error).message).toMatch(/: the output must be a string, got /);
    }
  });

  it.each([
    ...badFields.map(([l, f]) => [`fields as ${l}`, HEADER, f]),
    ...badTexts.map(([l, t]) => [`output as ${l}`, t, undefined]),
  ])('the Partial parsers return the error instead of throwing: %s', (_label, text, fields) => {
    for (const parse of [parseQueryGpuCsvPartial, parseComputeAppsCsvPartial]) {
      const result = parse(text as string, fields as string[] | undefined);
      expect(result.items).toEqual([]);
      expect(result.failures).toHaveLength(1);
      expect(result.failures[0]).toBeInstanceOf(NvidiaSmiError);
      expect(result.failures[0]!.reason).toBe('malformed');
    }
  });
});
