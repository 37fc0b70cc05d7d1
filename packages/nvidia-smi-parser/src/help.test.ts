// parseHelpQueryGpu: the --help-query-gpu (and --help-query-compute-apps) sections of the real
// multi-section captures, drivers 465 to 610.
import { describe, expect, it } from 'vitest';
import { captureSections, readFixture } from '../test/captures.js';
import { thrown } from '../test/helpers.js';
import { parseHelpQueryGpu } from './help.js';

describe('--help-query-gpu', () => {
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

  it('field counts of drivers 465 to 610; the first field is the timestamp', () => {
    const help = (file: string) =>
      parseHelpQueryGpu(captureSections(readFixture(file)).find((s) => s.args[0] === '--help-query-gpu')!.output);
    const l40s = help('capture-multi-l40s-driver595.txt');
    const win = help('capture-multi-win-rtx2080super-wddm-driver610.txt');
    expect([old.length, h100.length, l40s.length, win.length]).toEqual([115, 212, 202, 239]);
    expect([h100[0]!.name, l40s[0]!.name, win[0]!.name]).toEqual(['timestamp', 'timestamp', 'timestamp']);
    expect([l40s.at(-1)!.name, win.at(-1)!.name]).toEqual(['hostname', 'bbx.time_run']);
    expect(old.find((f) => f.name === 'clocks_throttle_reasons.active')?.aliases).toEqual([]);
  });

  it('text without a single quoted field line is malformed (or the failure it shows)', () => {
    expect(thrown(() => parseHelpQueryGpu('List of valid properties:\n\nnothing here\n')).reason).toBe('malformed');
    expect(thrown(() => parseHelpQueryGpu(null as never)).reason).toBe('malformed');
    expect(thrown(() => parseHelpQueryGpu(readFixture('synthetic/error-driver-not-loaded.txt'))).reason).toBe(
      'driver-not-loaded',
    );
  });
});
