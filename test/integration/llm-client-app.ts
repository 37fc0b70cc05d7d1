// Runs one of the model-client test apps (test/fixtures/llm-app-<client>) under the preload
// (@mltel/node/register), its client packages linked into the app's node_modules as an npm
// install would, against a replay server; returns what the app saw and the scrape.
import { cpSync, mkdirSync, readFileSync, realpathSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect } from 'vitest';
import { freePort, getText, parseExposition, ROOT, spawnChild, tempDir } from './helpers.js';
import type { ScrapedSample } from './helpers.js';

const SDKS = join(ROOT, 'packages/instrumentation-llm/node_modules');
const REGISTER = join(ROOT, 'packages/node/dist/register.js');

/** One way to start the app: the entry file and the preload flag. */
export interface Entry {
  app: 'app.mjs' | 'app.cjs';
  flag: '--import' | '--require';
}

export const ENTRIES: Entry[] = [
  { app: 'app.mjs', flag: '--import' },
  { app: 'app.cjs', flag: '--require' },
  { app: 'app.cjs', flag: '--import' },
];

/** What a run of the app gave. */
export interface AppRun {
  seen: Record<string, unknown>;
  samples: ScrapedSample[];
  text: string;
  stderr: string;
}

/**
 * Runs `test/fixtures/<fixture>/<entry.app>` with `packages` (names in @mltel/instrumentation-llm's
 * node_modules) linked in, LLM_REPLAY_URL set to `replayUrl`; scrapes it once it printed
 * `llm-app: done {...}`.
 */
export async function runClientApp(
  fixture: string,
  packages: readonly string[],
  entry: Entry,
  replayUrl: string,
  env: NodeJS.ProcessEnv = {},
): Promise<AppRun> {
  const dir = tempDir(`mltel-${fixture}-`);
  cpSync(join(ROOT, 'test/fixtures', fixture), dir.path, { recursive: true });
  for (const name of packages) {
    const target = join(dir.path, 'node_modules', name);
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync(realpathSync(join(SDKS, name)), target);
  }
  const port = await freePort();
  const register = entry.flag === '--import' ? pathToFileURL(REGISTER).href : REGISTER;
  const child = spawnChild(process.execPath, [entry.flag, register, entry.app], {
    cwd: dir.path,
    env: {
      LLM_REPLAY_URL: replayUrl,
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
      MLTEL_HOST_METRICS: 'false',
      APP_LINGER_MS: '60000',
      OTEL_LOG_LEVEL: 'warn',
      ...env,
    },
  });
  try {
    const line = await child.waitForLine(/^llm-app: done /);
    const text = await getText(`http://127.0.0.1:${port}/metrics`);
    return {
      seen: JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>,
      samples: parseExposition(text),
      text,
      stderr: child.stderr(),
    };
  } finally {
    await child.stop();
    dir.remove();
  }
}

/** The one sample of `name` whose gen_ai/error labels are exactly `labels`. */
export function sampleOf(samples: ScrapedSample[], name: string, labels: Record<string, string>): number | undefined {
  const keyed = (l: Record<string, string>) =>
    Object.entries(l)
      .filter(([k]) => k.startsWith('gen_ai_') || k === 'error_type')
      .sort()
      .join(',');
  const want = keyed(labels);
  const found = samples.filter((s) => s.name === name && keyed(s.labels) === want);
  if (found.length > 1) throw new Error(`${name}${want}: ${found.length} series`);
  return found[0]?.value;
}

/** Every sample of the GenAI client metrics, for "nothing recorded" checks. */
export function genAiSamples(samples: ScrapedSample[]): ScrapedSample[] {
  return samples.filter((s) => s.name.startsWith('gen_ai_client_') || s.name.startsWith('ml_gen_ai_'));
}

export const DURATION = 'gen_ai_client_operation_duration_seconds_count';
export const TOKENS_SUM = 'gen_ai_client_token_usage_sum';
export const DETAIL = 'ml_gen_ai_token_detail_total';
export const FIRST = 'gen_ai_client_operation_time_to_first_chunk_seconds_count';
export const PER_CHUNK = 'gen_ai_client_operation_time_per_output_chunk_seconds_count';
export const COST = 'ml_cost_usd_total';

/** The version of a client package the tests use (from @mltel/instrumentation-llm's node_modules). */
export function clientVersion(name: string): string {
  return (JSON.parse(readFileSync(join(SDKS, name, 'package.json'), 'utf8')) as { version: string }).version;
}

/** A builder of the gen_ai labels of `provider`'s calls, as scraped. */
export function genAiLabels(provider: string) {
  return (operation: string, request: string, response?: string, extra: Record<string, string> = {}) => ({
    gen_ai_operation_name: operation,
    gen_ai_provider_name: provider,
    gen_ai_request_model: request,
    ...(response === undefined ? {} : { gen_ai_response_model: response }),
    ...extra,
  });
}

/** `labels` with a token type. */
export function tokenLabels(labels: Record<string, string>, type: string): Record<string, string> {
  return { ...labels, gen_ai_token_type: type };
}

/**
 * Runs the app again with `disabled` turned off by OTEL_NODE_DISABLED_INSTRUMENTATIONS: it must
 * see exactly what it saw instrumented, and record no GenAI metric.
 */
export async function expectSameWithout(
  run: (env: NodeJS.ProcessEnv) => Promise<AppRun>,
  instrumented: AppRun,
  disabled: string,
): Promise<void> {
  const plain = await run({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: disabled });
  expect(plain.seen).toEqual(instrumented.seen);
  expect(genAiSamples(plain.samples)).toEqual([]);
  expect(instrumented.stderr).not.toMatch(/mltel.*(warn|error)/i);
}

/** The scrape has GenAI metrics and none of `canaries` (prompt, response text, key). */
export function expectNoCanaries(text: string, canaries: readonly string[]): void {
  expect(text).toContain('gen_ai_client_operation_duration_seconds');
  for (const canary of canaries) expect(text, canary).not.toContain(canary);
}

/** A replay server for the file's tests (started before them, closed after); returns its getter. */
export function useReplay<T extends { close(): Promise<void> }>(start: () => Promise<T>): () => T {
  let server: T | undefined;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(async () => {
    await server?.close();
  });
  return () => {
    if (server === undefined) throw new Error('the replay server is not started yet');
    return server;
  };
}
