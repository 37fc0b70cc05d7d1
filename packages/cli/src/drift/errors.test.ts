import { describe, expect, it } from 'vitest';
import { DRIFT_EXIT, InputError, reasonOf } from './errors.js';

describe('DRIFT_EXIT', () => {
  it('keeps 1 for drift alone', () => {
    expect(DRIFT_EXIT).toEqual({ ok: 0, drift: 1, usage: 2, input: 3 });
  });
});

describe('InputError', () => {
  it('names the file, the action and the reason, printable', () => {
    const e = new InputError('/tmp/a\u001b.csv', 'binary \u0000 data');
    expect(e.message).toBe('cannot read /tmp/a\\x1b.csv: binary \\x00 data');
    expect(new InputError('/o.json', 'it is a directory', 'write').message).toBe(
      'cannot write /o.json: it is a directory',
    );
    expect(e.path).toBe('/tmp/a\u001b.csv');
  });

  it('bounds a reason that quotes the input', () => {
    expect(new InputError('/a', 'x'.repeat(5000)).message.length).toBeLessThan(1100);
  });
});

describe('reasonOf', () => {
  it('drops the path Node appends to fs messages (the InputError names the file)', () => {
    const error = Object.assign(new Error("ENOENT: no such file or directory, open '/x/y.csv'"), { code: 'ENOENT' });
    expect(reasonOf(error)).toBe('ENOENT: no such file or directory');
    expect(reasonOf('plain')).toBe('plain');
  });
});
