// The one ESM loader hook of the preload. Registering it in the test process would change how
// vitest loads modules, so registration is checked in child processes here and, through the
// built preload, in test/integration/node-options.test.ts.
import type { ResolveFnOutput, ResolveHookContext } from 'node:module';
import { describe, expect, it } from 'vitest';
import { esmHookRegistered, keepBuiltinFormat, registerEsmHook } from './esm-hook.js';

const CONTEXT: ResolveHookContext = { conditions: ['require', 'node'], importAttributes: {}, parentURL: undefined };

describe('keepBuiltinFormat', () => {
  it('gives a builtin resolved as commonjs (an entry point without extension) its builtin format back', () => {
    const next = (): ResolveFnOutput => ({ url: 'node:module', format: 'commonjs' });
    expect(keepBuiltinFormat('module', CONTEXT, next)).toEqual({ url: 'node:module', format: 'builtin' });
  });

  it('leaves every other resolution as it is', () => {
    const file: ResolveFnOutput = { url: 'file:///app/bin/cli', format: 'commonjs' };
    expect(keepBuiltinFormat('./bin/cli', CONTEXT, () => file)).toBe(file);
    const builtin: ResolveFnOutput = { url: 'node:fs', format: 'builtin' };
    expect(keepBuiltinFormat('fs', CONTEXT, () => builtin)).toBe(builtin);
  });
});

describe('registerEsmHook', () => {
  it('registers nothing for an empty module list', () => {
    registerEsmHook([]);
    expect(esmHookRegistered()).toBe(false);
  });
});
