import { describe, expect, it } from 'vitest';
import { MAX_ECHO_CHARS, printable, processIo } from './io.js';

describe('processIo', () => {
  it("is the process's own streams, environment and working directory", () => {
    const io = processIo();
    expect(io.stdout).toBe(process.stdout);
    expect(io.stderr).toBe(process.stderr);
    expect(io.stdin).toBe(process.stdin);
    expect(io.env).toBe(process.env);
    expect(io.cwd).toBe(process.cwd());
  });
});

describe('printable', () => {
  it('escapes control characters, keeps newlines, tabs and ordinary text', () => {
    expect(printable('a\tb\nc')).toBe('a\tb\nc');
    expect(printable('\u001b[31mred\u001b]0;t\u0007\u0000\r\u007f')).toBe('\\x1b[31mred\\x1b]0;t\\x07\\x00\\x0d\\x7f');
    expect(printable('\u0085\u2028\u202e é ü 日本')).toBe('\\x85\\u2028\\u202e é ü 日本');
  });

  it('keeps the first 4 KiB and says how many bytes it left out', () => {
    expect(MAX_ECHO_CHARS).toBe(4096);
    const big = 'A'.repeat(33_000_000);
    const out = printable(big);
    expect(out).toBe(`${'A'.repeat(4096)}… ${33_000_000 - 4096} more bytes`);
    expect(printable('é'.repeat(10), 4)).toBe('éééé… 12 more bytes');
    expect(printable('abc', 3)).toBe('abc');
  });
});
