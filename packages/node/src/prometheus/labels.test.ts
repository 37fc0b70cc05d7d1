import { describe, expect, it } from 'vitest';
import { escapeLabelValue, escapeText, formatValue, LabelWriter } from './labels.js';

describe('labels', () => {
  it('sanitizes label names as upstream does, once per name', () => {
    const writer = new LabelWriter();
    expect(writer.name('ml.task.name')).toBe('ml_task_name');
    expect(writer.name('a.-b__c')).toBe('a_b_c');
    expect(writer.name('é')).toBe('_');
    expect(writer.name('ml.task.name')).toBe('ml_task_name');
  });

  it('writes labels in attribute order, escaping only what needs it, non-strings as JSON', () => {
    const writer = new LabelWriter();
    expect(writer.labels(undefined)).toBe('');
    expect(writer.labels({})).toBe('');
    expect(writer.labels({ 'a.b': 'plain', q: 'x"y\\z\nw', n: 1.5, b: false, l: ['a', 2] })).toBe(
      'a_b="plain",q="x\\"y\\\\z\\nw",n="1.5",b="false",l="[\\"a\\",2]"',
    );
  });

  it('escapes text and formats values as the exposition formats want', () => {
    expect(escapeText('a\\b\nc"d')).toBe('a\\\\b\\nc"d');
    expect(escapeLabelValue(undefined)).toBe('');
    expect(escapeLabelValue('x"')).toBe('x\\"');
    expect([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, 0.1, 1e21, -3].map(formatValue)).toEqual([
      '+Inf',
      '-Inf',
      'NaN',
      '0.1',
      '1e+21',
      '-3',
    ]);
  });
});
