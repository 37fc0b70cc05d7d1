// `http.route` from the Express instrumentation's layer store (the end to end check with a real
// Express 5 app is test/integration/contrib-http.test.ts).
import { describe, expect, it } from 'vitest';
import { expressRoute } from './http-route.js';

const request = (layers: unknown, originalUrl = '/users/7') => ({ __ot_middlewares: layers, originalUrl });

describe('expressRoute', () => {
  it('joins the mount paths of the layers the request ended in', () => {
    expect(expressRoute(request(['/users/:id']))).toBe('/users/:id');
    expect(expressRoute(request(['/', '/api', '/v1', '/users/:id'], '/api/v1/users/7'))).toBe('/api/v1/users/:id');
    expect(expressRoute(request(['/api/', '/users'], '/api/users'))).toBe('/api/users');
  });

  it('is the root only for a request to it, and a bare wildcard as such', () => {
    expect(expressRoute(request(['/', '/'], '/'))).toBe('/');
    expect(expressRoute(request(['/', '/'], '/other'))).toBeUndefined();
    expect(expressRoute(request(['*'], '/anything'))).toBe('*');
  });

  it('keeps patterns with lists or wildcards as written', () => {
    expect(expressRoute(request(['/a,/b'], '/a'))).toBe('/a,/b');
    expect(expressRoute(request(['/files/*'], '/files/x/y'))).toBe('/files/*');
  });

  it('is undefined without the store, with an empty one (no route matched: a 404), or a path the URL does not have', () => {
    expect(expressRoute({ originalUrl: '/x' })).toBeUndefined();
    expect(expressRoute(request([]))).toBeUndefined();
    expect(expressRoute(request(['/static'], '/other'))).toBeUndefined();
    expect(expressRoute(request('not an array'))).toBeUndefined();
  });
});
