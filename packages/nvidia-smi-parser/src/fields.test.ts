// Field names and negotiation: canonical names across driver versions, and negotiateFields against
// the --help-query-gpu of the real driver 465 and 590 captures.
import { describe, expect, it } from 'vitest';
import { captureSections, readFixture } from '../test/captures.js';
import { parseQueryGpuCsv } from './csv.js';
import {
  canonicalComputeAppsField,
  canonicalField,
  negotiateFields,
  QUERY_COMPUTE_APPS_FIELDS,
  QUERY_GPU_FIELDS,
} from './fields.js';
import { parseHelpQueryGpu } from './help.js';

describe('field negotiation against --help-query-gpu', () => {
  const old = parseHelpQueryGpu(
    captureSections(readFixture('capture-multi-ubuntu-rtx2080super-driver465.txt'))[2]!.output,
  );
  const h100 = parseHelpQueryGpu(
    captureSections(readFixture('capture-multi-h100-mig-4instances-driver590.txt')).find(
      (s) => s.args[0] === '--help-query-gpu',
    )!.output,
  );

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

  it('asks for a field once even when wanted under two names', () => {
    expect(negotiateFields(['name', 'gpu_name', 'clocks.sm', 'clocks.current.sm'], h100)).toEqual({
      fields: ['name', 'gpu_name', 'clocks.sm', 'clocks.current.sm'],
      renamed: {},
      unsupported: [],
    });
    expect(negotiateFields(['clocks_event_reasons.active', 'clocks_throttle_reasons.active'], old)).toEqual({
      fields: ['clocks_throttle_reasons.active'],
      renamed: { 'clocks_throttle_reasons.active': 'clocks_event_reasons.active' },
      unsupported: [],
    });
  });
});

describe('canonical field names', () => {
  it('strips the unit suffix, resolves aliases and the old clocks_throttle_reasons prefix', () => {
    expect(
      ['memory.used [MiB]', 'gpu_uuid', 'clocks.mem [MHz]', 'clocks_throttle_reasons.hw_slowdown', 'power.draw'].map(
        canonicalField,
      ),
    ).toEqual(['memory.used', 'uuid', 'clocks.current.memory', 'clocks_event_reasons.hw_slowdown', 'power.draw']);
    // Inherited Object properties are not aliases.
    expect(canonicalField('constructor')).toBe('constructor');
    expect(canonicalField('[MiB]')).toBe('[MiB]');
  });

  it('compute apps: name and used_memory are aliases', () => {
    expect(['name', 'used_memory [MiB]', 'pid', 'toString'].map(canonicalComputeAppsField)).toEqual([
      'process_name',
      'used_gpu_memory',
      'pid',
      'toString',
    ]);
  });

  it('the field lists are frozen, in query order, and every CSV field maps to the records', () => {
    expect(Object.isFrozen(QUERY_GPU_FIELDS)).toBe(true);
    expect(QUERY_GPU_FIELDS.slice(0, 3)).toEqual(['index', 'uuid', 'name']);
    expect(QUERY_GPU_FIELDS).toHaveLength(32);
    expect(QUERY_COMPUTE_APPS_FIELDS).toEqual(['gpu_uuid', 'pid', 'process_name', 'used_gpu_memory']);
  });
});

describe('the 465 CSV under its own header', () => {
  it('old names parse like the new ones', () => {
    const csv = captureSections(readFixture('capture-multi-ubuntu-rtx2080super-driver465.txt'))[1]!.output;
    const [gpu] = parseQueryGpuCsv(csv);
    expect(gpu).toMatchObject({ uuid: 'GPU-df6e7a7c-7314-46f8-abc4-b88b36dcf3aa', powerDrawWatts: 30.37 });
  });
});
