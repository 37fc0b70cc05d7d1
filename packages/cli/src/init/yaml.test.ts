import { describe, expect, it } from 'vitest';
import { toYaml } from './yaml.js';

describe('toYaml', () => {
  it('writes maps, lists and scalars in block style', () => {
    expect(
      toYaml({ groups: [{ name: 'a', rules: [{ record: 'x:y', expr: 'up{job="a"}' }] }], num: 1.5, t: true, z: null }),
    ).toBe(
      [
        'groups:',
        '  - name: a',
        '    rules:',
        '      - record: x:y',
        `        expr: 'up{job="a"}'`,
        'num: 1.5',
        't: true',
        'z: null',
        '',
      ].join('\n'),
    );
  });

  it('quotes what YAML would read as another type, in double quotes unless a double quote is inside', () => {
    expect(toYaml({ a: 'true', b: '30m', c: "it's", d: '1', e: 'a: b', f: '', g: 'x="1"', h: `x="'"` })).toBe(
      `a: "true"\nb: "30m"\nc: "it's"\nd: "1"\ne: "a: b"\nf: ""\ng: 'x="1"'\nh: "x=\\"'\\""\n`,
    );
  });

  it('writes control characters JSON-escaped, newlines as a literal block, empties inline', () => {
    expect(toYaml({ tab: 'a\tb', text: 'one\ntwo', list: [], map: {}, 'odd key': [1, [2]] })).toBe(
      `tab: "a\\tb"\ntext: |-\n  one\n  two\nlist: []\nmap: {}\n"odd key":\n  - 1\n  - - 2\n`,
    );
  });

  it('refuses a number YAML cannot hold', () => {
    expect(() => toYaml({ x: Number.NaN })).toThrow('cannot write the number NaN');
  });
});
