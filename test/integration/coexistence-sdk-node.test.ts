// A user's own NodeSDK (the real @opentelemetry/sdk-node) with mltel's parts instead of the
// preload (fixtures/coexistence/nodesdk.mjs, as docs/opentelemetry.md shows it), and the same
// NodeSDK started before mltel's preload.
import { cpSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADOPTED,
  APP_DIR,
  appEnv,
  duplicateSeries,
  expectedSeries,
  LATE,
  linesWith,
  MLTEL,
  runScenario,
  samplesOf,
  scrapedExpected,
  startVictoriaMetrics,
} from './coexistence-harness.js';
import { freePort, getText, ROOT, spawnChild, tempDir } from './helpers.js';
import type { Child } from './helpers.js';
import { startReplayServer } from './llm-replay.js';
import type { ReplayServer } from './llm-replay.js';
import type { Outcome, Receiver } from './coexistence-harness.js';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startVictoriaMetrics();
});
afterAll(async () => {
  await receiver?.stop();
});

describe("NodeSDK with mltel's parts (no preload)", () => {
  let run: Outcome;
  beforeAll(async () => {
    run = await runScenario(receiver, ['./nodesdk.mjs'], 'coexist-nodesdk-parts');
  });
  afterAll(async () => {
    await run?.app.stop();
  });

  it("pushes every mltel and HTTP series once through the user's OTLP reader", () => {
    expect(run.received).toEqual(expectedSeries('mltel'));
  });

  it("serves them once on mltel's Prometheus reader, under mltel's names", () => {
    expect(scrapedExpected(run.scrape, 'mltel')).toEqual(expectedSeries('mltel'));
    expect(duplicateSeries(run.scrape)).toEqual([]);
    expect(run.scrape).not.toContain('otel_scope_name');
  });

  it('logs nothing of mltel', () => {
    expect(linesWith(run.app, 'mltel:')).toEqual([]);
  });
});

describe("NodeSDK with mltel's parts, then mltel's preload as well", () => {
  let run: Outcome;
  beforeAll(async () => {
    // OTEL_LOG_LEVEL=info: mltel's line is info here (the exporters are the ones the variable names).
    run = await runScenario(receiver, ['./nodesdk.mjs', MLTEL], 'coexist-nodesdk-preload', { OTEL_LOG_LEVEL: 'info' });
  });
  afterAll(async () => {
    await run?.app.stop();
  });

  it('records nothing twice: the preload adopts the provider and starts no second endpoint', () => {
    expect(run.received).toEqual(expectedSeries('mltel'));
    expect(scrapedExpected(run.scrape, 'mltel')).toEqual(expectedSeries('mltel'));
    expect(duplicateSeries(run.scrape)).toEqual([]);
    expect(linesWith(run.app, ADOPTED)).toHaveLength(1);
    expect(linesWith(run.app, LATE)).toEqual([]);
    expect(linesWith(run.app, 'EADDRINUSE')).toEqual([]);
  });
});

describe("NodeSDK with mltel's parts: a real openai call (ES module import) recorded once", () => {
  let replay: ReplayServer;
  let app: Child;
  let scrape: string;
  let dir: { path: string; remove: () => void };
  beforeAll(async () => {
    replay = await startReplayServer();
    // A throwaway app whose node_modules holds the packages as an install would.
    dir = tempDir('mltel-coexist-openai-');
    cpSync(join(APP_DIR, 'nodesdk.mjs'), join(dir.path, 'nodesdk.mjs'));
    writeFileSync(
      join(dir.path, 'openai-app.mjs'),
      [
        "import OpenAI from 'openai';",
        'const client = new OpenAI({ apiKey: "sk-test", baseURL: process.env.APP_OPENAI_URL, maxRetries: 0 });',
        "await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });",
        "console.log('app: done {}');",
        'setTimeout(() => {}, 600_000);',
      ].join('\n'),
    );
    const modules = join(dir.path, 'node_modules');
    const link = (name: string, from: string): void => {
      mkdirSync(dirname(join(modules, name)), { recursive: true });
      symlinkSync(realpathSync(join(from, name)), join(modules, name));
    };
    link('openai', join(ROOT, 'packages/instrumentation-llm/node_modules'));
    for (const name of [
      '@mltel/node',
      '@opentelemetry/auto-instrumentations-node',
      '@opentelemetry/exporter-metrics-otlp-proto',
      '@opentelemetry/sdk-metrics',
      '@opentelemetry/sdk-node',
    ]) {
      link(name, join(ROOT, 'node_modules'));
    }
    const port = await freePort();
    app = spawnChild(process.execPath, ['--import', './nodesdk.mjs', 'openai-app.mjs'], {
      cwd: dir.path,
      env: { ...appEnv(receiver, port, 'coexist-nodesdk-openai'), APP_OPENAI_URL: `${replay.url}/ok/v1` },
    });
    await app.waitForLine(/^app: done /, 30_000);
    scrape = await getText(`http://127.0.0.1:${port}/metrics`);
  });
  afterAll(async () => {
    await app?.stop();
    await replay?.close();
    dir?.remove();
  });

  it('one operation, its input and output tokens, once each', () => {
    expect(replay.received).toHaveLength(1);
    expect(samplesOf(scrape, 'gen_ai_client_operation_duration_seconds_count').map((s) => s.value)).toEqual([1]);
    expect(samplesOf(scrape, 'gen_ai_client_token_usage_count').map((s) => s.value)).toEqual([1, 1]);
    expect(duplicateSeries(scrape)).toEqual([]);
  });
});
