import { describe, expect, it } from 'vitest';
import { executableName } from './metrics.js';

describe('executableName', () => {
  it.each([
    ['/usr/bin/python3', 'python3'],
    ['./gpu_burn', 'gpu_burn'],
    ['C:\\Program Files\\Mozilla Firefox\\firefox.exe', 'firefox.exe'],
    ['python', 'python'],
  ])('%s → %s', (path, name) => {
    expect(executableName(path)).toBe(name);
  });
});
