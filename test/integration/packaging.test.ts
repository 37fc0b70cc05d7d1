import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, getText, parseExposition, ROOT, spawnChild, tempDir } from './helpers.js';
import { startReplayServer } from './llm-replay.js';

// pnpm's bin shim runs vitest with NODE_PATH at the workspace's node_modules/.pnpm: a child
// would resolve a module the app did not install (the optional gRPC exporter did) from there.
const ISOLATED = '';

// Every package a user can install: the ones `pnpm -r publish` would publish (not private).
// `pnpm -r pack` would also pack the private examples, benchmarks and test-kit, so select here.
const PACKAGES = readdirSync(join(ROOT, 'packages')).filter((dir) => {
  const file = join(ROOT, 'packages', dir, 'package.json');
  return existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { private?: boolean }).private !== true;
});
// The LLM clients a user would install beside mltel (flat node_modules, unlike the workspace).
const LLM_CLIENTS = ['openai@7.57.0', '@anthropic-ai/sdk@1.12.0'];

// How users get mltel: `pnpm pack` every package, `npm install` the tarballs into a throwaway
// project outside the workspace, then run an app there under the preload flag.
describe('packed tarballs installed with npm', () => {
  const packs = tempDir('mltel-packs-');
  const project = tempDir('mltel-user-');

  beforeAll(() => {
    for (const name of PACKAGES) {
      execFileSync('pnpm', ['pack', '--pack-destination', packs.path], {
        cwd: join(ROOT, 'packages', name),
        stdio: 'pipe',
      });
    }
    const tarballs = readdirSync(packs.path).filter((f) => f.endsWith('.tgz'));
    expect(tarballs).toHaveLength(PACKAGES.length);
    writeFileSync(
      join(project.path, 'package.json'),
      JSON.stringify({ name: 'throwaway-user-app', private: true, version: '1.0.0' }),
    );
    execFileSync(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        ...tarballs.map((t) => join(packs.path, t)),
        ...LLM_CLIENTS,
      ],
      { cwd: project.path, stdio: 'pipe', timeout: 240_000 },
    );
    copyFileSync(join(ROOT, 'test/fixtures/apps/app.mjs'), join(project.path, 'app.mjs'));
    copyFileSync(join(ROOT, 'test/fixtures/apps/app.cjs'), join(project.path, 'app.cjs'));
    cpSync(join(ROOT, 'test/fixtures/llm-app'), join(project.path, 'llm'), { recursive: true });
  }, 300_000);

  afterAll(() => {
    packs.remove();
    project.remove();
  });

  it('ships only built files, with an exports map that puts types first', () => {
    for (const name of PACKAGES) {
      const tgz = readdirSync(packs.path).find((f) => f.startsWith(`mltel-${name}-`))!;
      const files = execFileSync('tar', ['-tzf', join(packs.path, tgz)], { encoding: 'utf8' }).split('\n');
      expect(files, name).toContain('package/dist/index.js');
      expect(files, name).toContain('package/dist/index.d.ts');
      expect(files, name).toContain('package/LICENSE');
      expect(
        files.filter((f) => f.endsWith('.map')),
        name,
      ).toEqual([]);
      expect(
        files.filter((f) => f.includes('.test.') || f.includes('/src/')),
        name,
      ).toEqual([]);
      const manifest = JSON.parse(
        execFileSync('tar', ['-xzOf', join(packs.path, tgz), 'package/package.json'], { encoding: 'utf8' }),
      ) as { exports: Record<string, Record<string, string> | string>; dependencies?: Record<string, string> };
      expect(Object.keys(manifest.exports['.'] as Record<string, string>)[0], name).toBe('types');
      for (const version of Object.values(manifest.dependencies ?? {}))
        expect(version, name).not.toMatch(/^workspace:/);
    }
  });

  it('installs the mltel command', () => {
    const bin = join(project.path, 'node_modules', '.bin', 'mltel');
    const help = execFileSync(bin, ['--help'], { cwd: project.path, encoding: 'utf8' });
    expect(help).toMatch(/^Usage: mltel <command>/);
    expect(help).toMatch(/^ {2}drift /m);
    expect(help).toMatch(/^ {2}gpu /m);
  });

  it.each([
    ['app.mjs', '--import'],
    ['app.cjs', '--require'],
  ] as const)('%s under %s works from node_modules', async (app, flag) => {
    const port = await freePort();
    const child = spawnChild(process.execPath, [flag, '@mltel/node/register', app], {
      cwd: project.path,
      env: {
        NODE_PATH: ISOLATED,
        OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
        APP_LINGER_MS: '60000',
        OTEL_SERVICE_NAME: 'packed',
      },
    });
    try {
      await child.waitForLine(/^app: ready/);
      const samples = parseExposition(await getText(`http://127.0.0.1:${port}/metrics`));
      const success = samples.find(
        (s) =>
          s.name === 'ml_tasks_total' &&
          s.labels.ml_task_status === 'success' &&
          s.labels.ml_task_name === 'fixture_job',
      );
      expect(success?.value).toBe(2);
      expect(
        samples.find((s) => s.name === 'ml_task_duration_seconds_count' && s.labels.ml_task_status === 'error')?.value,
      ).toBe(1);
      expect(samples.find((s) => s.name === 'target_info')?.labels.service_name).toBe('packed');
    } finally {
      await child.stop();
    }
    expect(child.stderr()).toBe('');
  });

  it.each([
    ['app.mjs', '--import'],
    ['app.cjs', '--require'],
  ] as const)('records openai and anthropic calls of llm/%s under %s from node_modules', async (app, flag) => {
    const replay = await startReplayServer();
    const port = await freePort();
    const child = spawnChild(process.execPath, [flag, '@mltel/node/register', `llm/${app}`], {
      cwd: project.path,
      env: {
        NODE_PATH: ISOLATED,
        OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
        APP_LINGER_MS: '60000',
        LLM_REPLAY_URL: replay.url,
      },
    });
    try {
      await child.waitForLine(/^llm-app: done/);
      const samples = parseExposition(await getText(`http://127.0.0.1:${port}/metrics`));
      const tokens = (provider: string, model: string, type: string) =>
        samples.find(
          (s) =>
            s.name === 'gen_ai_client_token_usage_sum' &&
            s.labels.gen_ai_provider_name === provider &&
            s.labels.gen_ai_request_model === model &&
            s.labels.gen_ai_token_type === type,
        )?.value;
      expect(tokens('openai', 'gpt-5-nano', 'output')).toBe(228);
      expect(tokens('anthropic', 'claude-3-5-sonnet-20240620', 'input')).toBe(1167);
      expect(samples.filter((s) => s.name === 'gen_ai_client_operation_duration_seconds_count')).toHaveLength(15);
      // Priced from the built-in catalog of the packed @mltel/cost.
      expect(
        samples.find((s) => s.name === 'ml_cost_usd_total' && s.labels.gen_ai_request_model === 'gpt-5-nano')?.value,
      ).toBe(0.00009175);
      expect(
        samples.find((s) => s.name === 'ml_cost_usd_total' && s.labels.gen_ai_request_model === 'gpt-5.4')?.value,
      ).toBe(0.00443);
    } finally {
      await child.stop();
      await replay.close();
    }
    // Nothing on stderr: every replayed model has a built-in price (gpt-5.4 since the refresh).
    expect(
      child
        .stderr()
        .split('\n')
        .filter((l) => l !== ''),
    ).toEqual([]);
  });
});
