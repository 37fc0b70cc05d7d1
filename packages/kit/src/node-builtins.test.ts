import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { nodeHttp, nodeHttps } from './node-builtins.js';

const require = createRequire(import.meta.url);

describe('node builtins without an ES import', () => {
  it('are the modules require() gives', () => {
    expect(nodeHttp()).toBe(require('node:http'));
    expect(nodeHttps()).toBe(require('node:https'));
    expect(typeof nodeHttp().createServer).toBe('function');
    expect(typeof nodeHttps().request).toBe('function');
  });
});
