// NODE_OPTIONS carrying the preload reaches every node the container runs, health checks written
// as `node -e` / `node -p` included. With import-in-the-middle's synchronous hook registered by
// the preload, each failed with `ENOENT: … open 'module'` (fixed in packages/node/src/esm-hook.ts).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

function run(nodeOptions: string, args: string[]) {
  return spawnSync(process.execPath, args, {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      ...process.env,
      NODE_OPTIONS: nodeOptions,
      // Port 0: nothing to clash with; the -e / -p process exits as soon as its code is done.
      OTEL_EXPORTER_PROMETHEUS_PORT: '0',
      MLTEL_GPU: 'false',
    },
  });
}

describe.each(['--require @mltel/node/register', '--import @mltel/node/register'])('NODE_OPTIONS="%s"', (options) => {
  it('node -e runs the code and exits 0', () => {
    const result = run(options, ['-e', 'console.log("health " + require("node:os").platform())']);
    expect(result.stderr).not.toContain('ENOENT');
    expect(result.stdout.trim()).toBe(`health ${process.platform}`);
    expect(result.status).toBe(0);
  });

  it('node -p prints the value and exits 0', () => {
    const result = run(options, ['-p', '6 * 7']);
    expect(result.stderr).not.toContain('ENOENT');
    expect(result.stdout.trim()).toBe('42');
    expect(result.status).toBe(0);
  });

  it('node -e with ES module input runs too', () => {
    const result = run(options, [
      '--input-type=module',
      '-e',
      'import { platform } from "node:os"; console.log(platform())',
    ]);
    expect(result.stdout.trim()).toBe(process.platform);
    expect(result.status).toBe(0);
  });
});
