// The install matrix (issue 15): what `npm install @mltel/…` gives a team, on the Node versions
// it supports. The packed tarballs go into fresh apps outside the workspace (so without its
// pnpm.overrides), installed by npm running on Node 22 and on Node 24, each from the npm
// registry's `node` package. Each app checks one copy of the API and the SDK, the preload, and
// the published declarations under `skipLibCheck: false`.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, getText, parseExposition, ROOT, spawnChild, tempDir } from './helpers.js';

// pnpm's bin shim runs vitest with NODE_PATH at the workspace's node_modules/.pnpm: a child
// would resolve a module the app did not install (the optional gRPC exporter did) from there.
const ISOLATED = '';

const run = promisify(execFile);
const PUBLISHED = readdirSync(join(ROOT, 'packages')).filter((dir) => {
  const file = join(ROOT, 'packages', dir, 'package.json');
  return existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { private?: boolean }).private !== true;
});
/** npm's own CLI, run by the Node under test so that npm sees that Node's version (engines). */
const NPM_CLI = join(dirname(realpathSync(execFileSync('which', ['npm'], { encoding: 'utf8' }).trim())), 'npm-cli.js');
const NODE_22_DIR = join(ROOT, '.cache/install-matrix/node22');
const NODES = {
  22: join(NODE_22_DIR, 'node_modules/.bin/node'),
  24: join(ROOT, '.tools/node_modules/.bin/node'),
} as const;
/** The newer SDK an application may bring itself (mltel's exporters are built on 3.1.0). */
const OWN_SDK = { '@opentelemetry/sdk-metrics': '3.1.1' };
/**
 * The upstream exporters pin core, resources and sdk-metrics 3.1.0 exactly, so an app on 3.1.1
 * gets 5 copies of sdk-metrics unless it aligns the family, as docs/install.md tells it to.
 */
const OWN_SDK_OVERRIDES = {
  '@opentelemetry/sdk-metrics': '$@opentelemetry/sdk-metrics',
  '@opentelemetry/core': '3.1.1',
  '@opentelemetry/resources': '3.1.1',
};
const TYPES = ['typescript@5.9.3', '@types/node@24.19.2'];
const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', '--engine-strict'];

const packs = tempDir('mltel-matrix-packs-');
const apps = tempDir('mltel-matrix-apps-');
type App = 'plain' | 'own-sdk';
const appDir = (node: keyof typeof NODES, app: App) => join(apps.path, `node${node}-${app}`);

/** Every published entry point, imported by the TypeScript app. */
const TS_APP = `${PUBLISHED.map((dir, i) => `import * as m${i} from '@mltel/${dir}';`).join('\n')}
import * as stats from '@mltel/quality/stats';
import { wrapTask } from '@mltel/tasks';
export const modules: object[] = [${PUBLISHED.map((_, i) => `m${i}`).join(', ')}, stats];
export const job: (n: number) => Promise<number> = wrapTask('typed_job', async (n: number) => n * 2);
`;
const tsconfig = (module: string, moduleResolution: string) =>
  JSON.stringify({
    compilerOptions: {
      module,
      moduleResolution,
      target: 'ES2023',
      strict: true,
      skipLibCheck: false,
      noEmit: true,
      types: ['node'],
    },
    files: ['index.ts'],
  });

/** The installed copies of a package anywhere in an app's tree. */
function copies(dir: string, name: string): string[] {
  const { stdout } = {
    stdout: execFileSync(NODES[24], [NPM_CLI, 'ls', '--all', '--parseable'], { cwd: dir, encoding: 'utf8' }),
  };
  return stdout.split('\n').filter((line) => line.endsWith(`/node_modules/${name}`));
}

describe('packed tarballs on Node 22 and 24, without the workspace overrides', () => {
  beforeAll(async () => {
    const filters = PUBLISHED.flatMap((dir) => ['--filter', `./packages/${dir}`]);
    const packing = run('pnpm', [...filters, 'pack', '--pack-destination', packs.path], { cwd: ROOT });
    if (!existsSync(NODES[22])) {
      await run('npm', ['install', '--prefix', NODE_22_DIR, ...NPM_FLAGS.slice(0, 4), 'node@22'], { timeout: 120_000 });
    }
    await packing;
    const tarballs = readdirSync(packs.path)
      .filter((f) => f.endsWith('.tgz'))
      .map((f) => join(packs.path, f));
    expect(tarballs).toHaveLength(PUBLISHED.length);
    const installs: Promise<unknown>[] = [];
    for (const node of [22, 24] as const) {
      for (const app of ['plain', 'own-sdk'] as const) {
        const dir = appDir(node, app);
        execFileSync('mkdir', ['-p', dir]);
        writeFileSync(
          join(dir, 'package.json'),
          JSON.stringify({
            name: `matrix-${app}`,
            private: true,
            version: '1.0.0',
            type: 'module',
            ...(app === 'own-sdk' ? { dependencies: OWN_SDK, overrides: OWN_SDK_OVERRIDES } : {}),
          }),
        );
        for (const file of ['app.mjs', 'app.cjs'])
          writeFileSync(join(dir, file), readFileSync(join(ROOT, 'test/fixtures/apps', file)));
        writeFileSync(join(dir, 'index.ts'), TS_APP);
        writeFileSync(join(dir, 'tsconfig.nodenext.json'), tsconfig('nodenext', 'nodenext'));
        writeFileSync(join(dir, 'tsconfig.bundler.json'), tsconfig('esnext', 'bundler'));
        const extra = app === 'plain' ? TYPES : [];
        // One shared npm cache (the user's): the four installs run side by side.
        installs.push(
          run(NODES[node], [NPM_CLI, 'install', ...NPM_FLAGS, ...tarballs, ...extra], { cwd: dir, timeout: 180_000 }),
        );
      }
    }
    await Promise.all(installs);
  }, 240_000);

  afterAll(() => {
    packs.remove();
    apps.remove();
  });

  describe.each([22, 24] as const)('Node %i', (node) => {
    it.each(['plain', 'own-sdk'] as const)('%s app: one @opentelemetry/api, one sdk-metrics', (app) => {
      const dir = appDir(node, app);
      const kb = Number(execFileSync('du', ['-sk', join(dir, 'node_modules')], { encoding: 'utf8' }).split('\t')[0]);
      const count = execFileSync(NODES[24], [NPM_CLI, 'ls', '--all', '--parseable'], { cwd: dir, encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.includes('node_modules')).length;
      console.log(`install-matrix: node${node} ${app}: ${count} packages, ${(kb / 1024).toFixed(1)} MB`);
      expect(copies(dir, '@opentelemetry/api')).toHaveLength(1);
      expect(copies(dir, '@opentelemetry/sdk-metrics')).toHaveLength(1);
      expect(copies(dir, '@opentelemetry/core')).toHaveLength(1);
      // One instrumentation framework shared with the contrib instrumentations (their ^0.300.0):
      // each copy loads at start and adds its own require() hook. instrumentation-http pins its
      // own exact version, loaded only when HTTP spans are wanted.
      const frameworks = copies(dir, '@opentelemetry/instrumentation').filter(
        (path) => !path.includes('/instrumentation-http/node_modules/'),
      );
      expect(frameworks).toHaveLength(1);
    });

    it.each([
      ['plain', 'app.mjs', '--import'],
      ['plain', 'app.cjs', '--require'],
      ['own-sdk', 'app.mjs', '--import'],
    ] as const)('%s app: %s under %s @mltel/node/register serves ml_ series', async (app, file, flag) => {
      const port = await freePort();
      const child = spawnChild(NODES[node], [flag, '@mltel/node/register', file], {
        cwd: appDir(node, app),
        env: {
          NODE_PATH: ISOLATED,
          OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
          APP_LINGER_MS: '30000',
          OTEL_SERVICE_NAME: 'matrix',
        },
      });
      try {
        await child.waitForLine(/^app: ready/);
        const samples = parseExposition(await getText(`http://127.0.0.1:${port}/metrics`));
        expect(
          samples.find(
            (s) =>
              s.name === 'ml_tasks_total' &&
              s.labels.ml_task_status === 'success' &&
              s.labels.ml_task_name === 'fixture_job',
          )?.value,
        ).toBe(2);
      } finally {
        await child.stop();
      }
      expect(child.stderr()).toBe('');
    });

    it('plain app: OTLP over gRPC without the optional exporter warns once and runs on', async () => {
      const port = await freePort();
      const child = spawnChild(NODES[node], ['--import', '@mltel/node/register', 'app.mjs'], {
        cwd: appDir(node, 'plain'),
        env: {
          OTEL_METRICS_EXPORTER: 'prometheus,otlp',
          OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
          NODE_PATH: ISOLATED,
          OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
          APP_LINGER_MS: '30000',
        },
      });
      try {
        await child.waitForLine(/^app: ready/);
        const samples = parseExposition(await getText(`http://127.0.0.1:${port}/metrics`));
        expect(samples.some((s) => s.name.startsWith('ml_'))).toBe(true);
      } finally {
        await child.stop();
      }
      // One warning (its message carries Node's require stack on the following lines).
      const warnings = child
        .stderr()
        .split('\n')
        .filter((l) => l.startsWith('mltel:'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(
        /OTEL_EXPORTER_OTLP_PROTOCOL=grpc needs @opentelemetry\/exporter-metrics-otlp-grpc .*Fix: npm install/,
      );
    });

    it.each(['nodenext', 'bundler'] as const)(
      'type-checks every entry point under %s with skipLibCheck false',
      async (resolution) => {
        const dir = appDir(node, 'plain');
        const tsc = join(dir, 'node_modules/typescript/bin/tsc');
        const result = await run(NODES[node], [tsc, '-p', `tsconfig.${resolution}.json`], { cwd: dir }).catch(
          (error: { stdout: string }) => ({ stdout: error.stdout }),
        );
        expect(result.stdout).toBe('');
      },
      60_000,
    );
  });
});
