import { describe, expect, it } from 'vitest';
import { processIo } from './io.js';

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
