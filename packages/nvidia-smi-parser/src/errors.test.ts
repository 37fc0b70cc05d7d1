// detectFailure, NvidiaSmiError and failureOrMalformed: the known failure texts (synthetic
// fixtures, labelled in test/fixtures/synthetic/README.md) and what every parser throws for them.
import { describe, expect, it } from 'vitest';
import { readFixture, syntheticNames } from '../test/captures.js';
import { P100_FIELDS, thrown } from '../test/helpers.js';
import { parseComputeAppsCsv, parseQueryGpuCsv, parseQueryGpuCsvPartial } from './csv.js';
import { describeArgument, detectFailure, failureOrMalformed, NvidiaSmiError, notText } from './errors.js';
import { parseHelpQueryGpu } from './help.js';
import { parseList } from './list.js';
import { parseTable } from './table.js';
import type { NvidiaSmiFailureReason } from './types.js';
import { parseXml } from './xml.js';

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

describe('detectFailure messages', () => {
  it.each([
    [
      'synthetic/error-driver-not-loaded.txt',
      'nvidia-smi cannot communicate with the NVIDIA driver (driver not loaded or not installed)',
    ],
    [
      'synthetic/error-driver-mismatch.txt',
      'NVML driver/library version mismatch (driver upgraded without reloading the kernel module; reboot)',
    ],
    ['synthetic/error-gpu-lost.txt', 'GPU 0000:CB:00.0 is unreachable: Unknown Error'],
    ['synthetic/error-no-devices.txt', 'nvidia-smi found no NVIDIA GPU'],
    ['synthetic/error-invalid-field.txt', 'nvidia-smi does not know the query field "clocks_event_reasons.active"'],
  ])('%s: %s', (name, message) => {
    expect(detectFailure(readFixture(name))?.message).toBe(message);
  });

  it('finds a failure line after other lines and with Windows line ends; ignores non-strings', () => {
    const out = 'GPU 0: Tesla T4 (UUID: GPU-1)\r\nFailed to initialize NVML: Insufficient Permissions\r\n';
    expect(detectFailure(out)).toMatchObject({
      reason: 'driver-not-loaded',
      message: 'NVML failed to initialise: Insufficient Permissions',
      output: out,
    });
    expect(detectFailure(undefined as never)).toBeUndefined();
    expect(detectFailure(42 as never)).toBeUndefined();
  });
});

describe('NvidiaSmiError and failureOrMalformed', () => {
  it('an NvidiaSmiError is an Error with its reason, message and output', () => {
    const e = new NvidiaSmiError('no-devices', 'none', 'No devices were found');
    expect(e).toBeInstanceOf(Error);
    expect([e.name, e.reason, e.message, e.output]).toEqual([
      'NvidiaSmiError',
      'no-devices',
      'none',
      'No devices were found',
    ]);
  });

  it('failureOrMalformed gives the recognised failure, else malformed naming what was expected', () => {
    expect(failureOrMalformed(readFixture('synthetic/error-no-devices.txt'), 'nvidia-smi -L').reason).toBe(
      'no-devices',
    );
    const e = failureOrMalformed('<html/>', 'nvidia-smi -q -x XML');
    expect([e.reason, e.message, e.output]).toEqual(['malformed', 'not nvidia-smi -q -x XML output', '<html/>']);
  });
});

describe('describeArgument and notText', () => {
  it('say what a value is without running any of its code', () => {
    const revoked = Proxy.revocable([], {});
    revoked.revoke();
    const trap = new Proxy(
      {},
      {
        get: () => {
          throw new Error('get');
        },
        getPrototypeOf: () => {
          throw new Error('proto');
        },
      },
    );
    const values: unknown[] = [null, undefined, 5, 'x', Symbol('s'), () => 1, [1], {}, trap, revoked.proxy, 1n];
    expect(values.map(describeArgument)).toEqual([
      'null',
      'undefined',
      'a number',
      'a string',
      'a symbol',
      'a function',
      'an array',
      'an object',
      'an object',
      'a revoked Proxy',
      'a bigint',
    ]);
  });

  it('notText is a malformed NvidiaSmiError naming the parser, with an empty output', () => {
    const e = notText(
      {
        toString: () => {
          throw new Error('no');
        },
      },
      'nvidia-smi -L',
    );
    expect([e.reason, e.message, e.output]).toEqual([
      'malformed',
      'nvidia-smi -L: the output must be a string, got an object',
      '',
    ]);
  });
});
