import { describe, expect, it } from 'vitest';
import { serverOf } from './server.js';

describe('serverOf()', () => {
  it.each([
    ['https://api.openai.com/v1', 'api.openai.com', 443],
    ['http://localhost/v1', 'localhost', 80],
    ['http://127.0.0.1:8080/ok/v1', '127.0.0.1', 8080],
    ['https://[::1]:8443/', '::1', 8443],
    ['https://user:secret@proxy.internal/v1?key=sk-123#frag', 'proxy.internal', 443],
  ])('%s is %s port %i: host and port only, never the path, query or credentials', (url, address, port) => {
    expect(serverOf(url)).toEqual({ serverAddress: address, serverPort: port });
  });

  it.each([
    ['a relative path', '/v1'],
    ['garbage', 'not a url'],
    ['undefined', undefined],
    ['a number', 443],
    ['a URL object', new URL('https://api.openai.com')],
  ])('%s gives no server', (_label, value) => {
    expect(serverOf(value)).toEqual({ serverAddress: undefined, serverPort: undefined });
  });

  it('reads each distinct base URL once (the same object back)', () => {
    const url = 'https://cached.example.com/v1';
    expect(serverOf(url)).toBe(serverOf(url));
  });

  it('still answers past the cache bound', () => {
    for (let i = 0; i < 150; i++) {
      expect(serverOf(`https://host-${i}.example.com`)).toEqual({
        serverAddress: `host-${i}.example.com`,
        serverPort: 443,
      });
    }
  });
});
