import { describe, expect, it } from 'vitest';
import { detectsEnv, parseResourceDetectors } from './detectors.js';
import type { ConfigProblem } from './types.js';

function parse(raw: string | undefined) {
  const problems: ConfigProblem[] = [];
  return { value: parseResourceDetectors(raw, problems), problems };
}

describe('OTEL_NODE_RESOURCE_DETECTORS', () => {
  it('unset: mltel default set, which reads OTEL_RESOURCE_ATTRIBUTES', () => {
    expect(parse(undefined)).toEqual({ value: 'default', problems: [] });
    expect(detectsEnv('default')).toBe(true);
  });

  it('reads a comma list as sdk-node does (case and blanks ignored, each once)', () => {
    expect(parse(' OS, host ,,host').value).toEqual(['os', 'host']);
    expect(detectsEnv(['os', 'host'])).toBe(false);
    expect(detectsEnv(['env'])).toBe(true);
  });

  it('all wins over none and over the names; none is the empty list', () => {
    expect(parse('host,all,none').value).toEqual(['env', 'host', 'os', 'process', 'serviceinstance']);
    expect(parse('none').value).toEqual([]);
    expect(parse('host,none').value).toEqual([]);
  });

  it('leaves an unknown name out with a problem naming the setting and the known names', () => {
    const { value, problems } = parse('host,container');
    expect(value).toEqual(['host']);
    expect(problems).toEqual([
      {
        setting: 'OTEL_NODE_RESOURCE_DETECTORS',
        message: expect.stringMatching(
          /"container".*left out\. Fix: use a comma list of env, host, os, process, serviceinstance, or all, or none\./,
        ),
      },
    ]);
  });
});
