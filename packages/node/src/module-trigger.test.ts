// The first-load trigger, in child Node processes on the build: it registers a resolve hook, which
// in the test process would change how vitest loads modules. The packages are fixtures written to
// a temporary node_modules; each records, as it loads, whether the trigger had already run.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { built } from '../test/harness.js';

let dir: string;

const FILES: Record<string, string> = {
  'node_modules/fake-a/package.json': '{"name":"fake-a","main":"index.js"}',
  'node_modules/fake-a/index.js': 'module.exports = { ranFirst: globalThis.runs > 0 };',
  'node_modules/fake-a/lib/deep.js': 'module.exports = { ranFirst: globalThis.runs > 0 };',
  'node_modules/fake-a-two/index.js': 'module.exports = {};',
  'node_modules/@scope/fake-a/index.js': 'module.exports = {};',
  'node_modules/uses-a/index.js': "module.exports = require('fake-a');",
  'node_modules/uses-a/node_modules/fake-nested/index.js': 'module.exports = {};',
  'node_modules/fake-esm/package.json': '{"name":"fake-esm","type":"module","exports":"./index.js"}',
  'node_modules/fake-esm/index.js': 'export const ranFirst = globalThis.runs > 0;',
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mltel-trigger-'));
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs `body` as an ES module in the fixture directory (a bare import resolves there) with
 * `onFirstLoad`, `pendingTriggers`, `Starts`, a `require` from there, `run` and the count of its calls
 * `globalThis.runs`; returns its output lines.
 */
function inNode(body: string): string[] {
  const module = JSON.stringify(pathToFileURL(built('module-trigger')).href);
  const script = `import { onFirstLoad, pendingTriggers, Starts } from ${module};
import { createRequire } from 'node:module';
const require = createRequire(${JSON.stringify(join(dir, 'app.cjs'))});
globalThis.runs = 0;
const run = () => { globalThis.runs++; };
${body}`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(result.stderr).toBe('');
  return result.stdout.trim().split('\n');
}

describe('onFirstLoad', () => {
  it('runs once, during the first resolution of a file of the package, before it loads: a dependency requiring it counts', () => {
    expect(
      inNode(`onFirstLoad(['fake-a'], run);
require('fake-a-two'); require('@scope/fake-a');
console.log('others', globalThis.runs, pendingTriggers());
console.log('dependency', require('uses-a').ranFirst, globalThis.runs, pendingTriggers());
require('fake-a/lib/deep.js');
console.log('again', globalThis.runs);`),
    ).toEqual(['others 0 1', 'dependency true 1 0', 'again 1']);
  });

  it('finds scoped and nested packages, and runs every trigger of a package', () => {
    expect(
      inNode(`let scoped = 0, second = 0;
onFirstLoad(['@scope/fake-a', 'fake-esm'], () => { scoped++; });
onFirstLoad(['fake-nested'], run);
onFirstLoad(['fake-nested'], () => { second++; });
console.log('waiting', pendingTriggers());
require('@scope/fake-a');
console.log('scoped', scoped, pendingTriggers());
await import('fake-esm');
console.log('its other package', scoped);
require('uses-a/node_modules/fake-nested');
console.log('nested', globalThis.runs, second, pendingTriggers());`),
    ).toEqual(['waiting 3', 'scoped 1 2', 'its other package 1', 'nested 1 1 0']);
  });

  it('runs on a deep require of the package', () => {
    expect(
      inNode(`onFirstLoad(['fake-a'], run);
console.log(require('fake-a/lib/deep.js').ranFirst, globalThis.runs);`),
    ).toEqual(['true 1']);
  });

  it('runs on an ES import of the package', () => {
    expect(
      inNode(`onFirstLoad(['fake-esm'], run);
const { ranFirst } = await import('fake-esm');
console.log(ranFirst, globalThis.runs);`),
    ).toEqual(['true 1']);
  });

  it('never runs once cancelled, and a run that throws does not fail the load', () => {
    expect(
      inNode(`const cancel = onFirstLoad(['fake-a'], run);
cancel();
console.log('cancelled', require('fake-a').ranFirst, globalThis.runs, pendingTriggers());
onFirstLoad(['fake-a-two'], () => { throw new Error('boom'); });
console.log('thrown', typeof require('fake-a-two'), pendingTriggers());`),
    ).toEqual(['cancelled false 0 0', 'thrown object 0']);
  });

  it('has require() hooked before the load, so an instrumentation that run constructs patches it', () => {
    const instrumentation = JSON.stringify(import.meta.resolve('@opentelemetry/instrumentation'));
    expect(
      inNode(`const { InstrumentationBase, InstrumentationNodeModuleDefinition } = await import(${instrumentation});
class Fake extends InstrumentationBase {
  init() {
    return new InstrumentationNodeModuleDefinition('fake-a', ['*'], (exports) => ({ ...exports, patched: true }));
  }
}
onFirstLoad(['fake-a'], () => { run(); new Fake('fake', '1.0.0'); });
const a = require('fake-a');
console.log(a.ranFirst, a.patched === true, globalThis.runs);`),
    ).toEqual(['true true 1']);
  });

  it('runs at once when the package is already loaded', () => {
    expect(
      inNode(`require('fake-a');
onFirstLoad(['fake-a'], run);
console.log(globalThis.runs, pendingTriggers());`),
    ).toEqual(['1 0']);
  });
});

describe('Starts', () => {
  it('keeps what starts now and at a first load, and stops both: a waiting one never starts', () => {
    expect(
      inNode(`const starts = new Starts();
const made = (name) => () => { run(); return { disable: () => console.log('disabled', name) }; };
starts.now(made('now'));
starts.now(() => undefined);
starts.onFirstLoad(['fake-a'], made('a'));
starts.onFirstLoad(['fake-esm'], made('esm'));
require('fake-a');
console.log('started', globalThis.runs, pendingTriggers());
starts.stop();
console.log('stopped', pendingTriggers());
await import('fake-esm');
starts.stop();
console.log('after', globalThis.runs);`),
    ).toEqual(['started 2 1', 'disabled now', 'disabled a', 'stopped 0', 'after 2']);
  });
});
