// requireEsm is tested in a child Node process on the build: vitest runs modules in its own
// module graph, not Node's, and the point is the identity with Node's own ES module instances.
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { built } from '../test/harness.js';

function inNode(script: string): string {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: process.cwd(),
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(result.stderr).toBe('');
  return result.stdout.trim();
}

describe('requireEsm', () => {
  it('loads, synchronously, the same ES module instance that an import gives', { timeout: 30_000 }, () => {
    const module = JSON.stringify(pathToFileURL(built('require-esm')).href);
    const cost = JSON.stringify(import.meta.resolve('@mltel/cost'));
    expect(
      inNode(`import { requireEsm } from ${module};
const required = requireEsm('@mltel/cost');
const imported = await import(${cost});
console.log(required.CostMeter === imported.CostMeter, typeof required.CostMeter);`),
    ).toBe('true function');
  });

  it('throws for a package that is not installed', { timeout: 30_000 }, () => {
    const module = JSON.stringify(pathToFileURL(built('require-esm')).href);
    expect(
      inNode(`import { requireEsm } from ${module};
try { requireEsm('@mltel/no-such-package'); console.log('loaded'); } catch (error) { console.log(error.code); }`),
    ).toBe('ERR_MODULE_NOT_FOUND');
  });
});
