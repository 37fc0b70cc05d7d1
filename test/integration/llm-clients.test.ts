// The real openai and @anthropic-ai/sdk clients, in an app preloaded with @mltel/node/register,
// against a server replaying captured provider responses: exact GenAI metrics in the scrape.
import { cpSync, mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, getText, parseExposition, ROOT, spawnChild, tempDir } from './helpers.js';
import type { ScrapedSample } from './helpers.js';
import { CAPTURES, startReplayServer } from './llm-replay.js';
import type { ReplayServer } from './llm-replay.js';

const SDKS = join(ROOT, 'packages/instrumentation-llm/node_modules');
const REGISTER = join(ROOT, 'packages/node/dist/register.js');

interface Combo {
  app: 'app.mjs' | 'app.cjs';
  flag: '--import' | '--require';
  openai: string;
  anthropic: string;
  /** Whether `chat.completions.stream()` exists (v5 on; v4 has it under `beta`). */
  chatHelper: boolean;
  /** error.type of a connection reset / a stream cut mid-way: the SDK's HTTP stack decides. */
  reset: string;
  midStream: string;
}

const UNDICI = { reset: 'UND_ERR_SOCKET', midStream: 'UND_ERR_SOCKET', chatHelper: true };
const NODE_FETCH = { reset: 'ECONNRESET', midStream: 'ERR_STREAM_PREMATURE_CLOSE', chatHelper: false };
const COMBOS: Combo[] = [
  { app: 'app.mjs', flag: '--import', openai: 'openai', anthropic: '@anthropic-ai/sdk', ...UNDICI },
  { app: 'app.cjs', flag: '--require', openai: 'openai', anthropic: '@anthropic-ai/sdk', ...UNDICI },
  { app: 'app.cjs', flag: '--import', openai: 'openai', anthropic: '@anthropic-ai/sdk', ...UNDICI },
  { app: 'app.mjs', flag: '--import', openai: 'openai-v6', anthropic: 'anthropic-v0', ...UNDICI },
  { app: 'app.cjs', flag: '--require', openai: 'openai-v5', anthropic: 'anthropic-v0', ...UNDICI },
  { app: 'app.mjs', flag: '--import', openai: 'openai-v4', anthropic: 'anthropic-v0', ...NODE_FETCH },
  { app: 'app.cjs', flag: '--require', openai: 'openai-v4', anthropic: 'anthropic-v0', ...NODE_FETCH },
];

function versionOf(dir: string): string {
  return (JSON.parse(readFileSync(join(SDKS, dir, 'package.json'), 'utf8')) as { version: string }).version;
}

let replay: ReplayServer;
beforeAll(async () => {
  replay = await startReplayServer();
});
afterAll(async () => {
  await replay?.close();
});

/** A throwaway app folder whose node_modules holds the chosen SDK versions, as an npm install would. */
function appFolder(combo: Pick<Combo, 'openai' | 'anthropic'>) {
  const dir = tempDir('mltel-llm-app-');
  cpSync(join(ROOT, 'test/fixtures/llm-app'), dir.path, { recursive: true });
  mkdirSync(join(dir.path, 'node_modules/@anthropic-ai'), { recursive: true });
  symlinkSync(realpathSync(join(SDKS, combo.openai)), join(dir.path, 'node_modules/openai'));
  symlinkSync(realpathSync(join(SDKS, combo.anthropic)), join(dir.path, 'node_modules/@anthropic-ai/sdk'));
  return dir;
}

interface AppRun {
  seen: Record<string, unknown>;
  samples: ScrapedSample[];
  text: string;
  stderr: string;
}

async function runApp(
  combo: Pick<Combo, 'app' | 'flag' | 'openai' | 'anthropic'>,
  env: NodeJS.ProcessEnv = {},
): Promise<AppRun> {
  const dir = appFolder(combo);
  const port = await freePort();
  const register = combo.flag === '--import' ? pathToFileURL(REGISTER).href : REGISTER;
  const child = spawnChild(process.execPath, [combo.flag, register, combo.app], {
    cwd: dir.path,
    env: {
      LLM_REPLAY_URL: replay.url,
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

/** The one sample of `name` whose labels include `labels` and no other gen_ai/error label. */
function sample(samples: ScrapedSample[], name: string, labels: Record<string, string>): number | undefined {
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

const openai = (request: string, response?: string, extra: Record<string, string> = {}) => ({
  gen_ai_operation_name: 'chat',
  gen_ai_provider_name: 'openai',
  gen_ai_request_model: request,
  ...(response === undefined ? {} : { gen_ai_response_model: response }),
  ...extra,
});
const anthropic = (model: string, extra: Record<string, string> = {}) => ({
  gen_ai_operation_name: 'chat',
  gen_ai_provider_name: 'anthropic',
  gen_ai_request_model: model,
  gen_ai_response_model: model,
  ...extra,
});
const tokens = (labels: Record<string, string>, type: string) => ({ ...labels, gen_ai_token_type: type });

const DURATION = 'gen_ai_client_operation_duration_seconds_count';
const TOKENS_SUM = 'gen_ai_client_token_usage_sum';
const TOKENS_COUNT = 'gen_ai_client_token_usage_count';
const DETAIL = 'ml_gen_ai_token_detail_total';
const FIRST = 'gen_ai_client_operation_time_to_first_chunk_seconds_count';
const PER_CHUNK = 'gen_ai_client_operation_time_per_output_chunk_seconds_count';

describe.each(COMBOS)('$app under $flag with $openai and $anthropic', (combo) => {
  it(`records every call with exact values (openai ${versionOf(combo.openai)}, anthropic ${versionOf(combo.anthropic)})`, async () => {
    const before = replay.received.length;
    const { seen, samples, stderr } = await runApp(combo);
    const s = (name: string, labels: Record<string, string>) => sample(samples, name, labels);

    // What the app itself saw: the SDKs behaved as without instrumentation (compared below).
    expect(seen).toMatchObject({
      chat: 228,
      chatStreamChunks: 15,
      streamHasController: true,
      responseStatus: 'completed',
      responseStreamEvents: 13,
      message: 202,
      anthropicStreamEvents: 6,
      breakAfter: 2,
      rateLimited: { status: 429, instanceOf: true },
      serverError: { status: 500, instanceOf: true },
      reset: { class: 'APIConnectionError', instanceOf: true },
      overloaded: { status: 529, instanceOf: true },
      midStreamChunks: 5,
      retried: 11,
    });

    // Chat Completions, not streamed (captured gpt-5-nano answer: 11 in, 228 out, 192 reasoning).
    const chat = openai('gpt-5-nano', 'gpt-5-nano-2025-08-07');
    expect(s(DURATION, chat)).toBe(1);
    expect(s(TOKENS_SUM, tokens(chat, 'input'))).toBe(11);
    expect(s(TOKENS_SUM, tokens(chat, 'output'))).toBe(228);
    expect(s(DETAIL, tokens(chat, 'reasoning'))).toBe(192);
    expect(s(DETAIL, tokens(chat, 'cache_read'))).toBeUndefined();

    // The chat stream (12 in, 12 out, 14 chunks with choices) and the Responses stream (22 in,
    // 6 out, 5 delta events) share request and response model, so they add up in one series.
    const stream = openai('gpt-4o-mini', 'gpt-4o-mini-2024-07-18');
    expect(s(DURATION, stream)).toBe(2);
    expect(s(TOKENS_SUM, tokens(stream, 'input'))).toBe(12 + 22);
    expect(s(TOKENS_SUM, tokens(stream, 'output'))).toBe(12 + 6);
    expect(s(TOKENS_COUNT, tokens(stream, 'input'))).toBe(2);
    expect(s(FIRST, openai('gpt-4o-mini'))).toBe(2);
    expect(s(PER_CHUNK, openai('gpt-4o-mini'))).toBe(13 + 4);

    // Embeddings: input tokens only.
    const embeddings = {
      gen_ai_operation_name: 'embeddings',
      gen_ai_provider_name: 'openai',
      gen_ai_request_model: 'text-embedding-3-small',
      gen_ai_response_model: 'text-embedding-3-small',
    };
    expect(s(DURATION, embeddings)).toBe(1);
    expect(s(TOKENS_SUM, tokens(embeddings, 'input'))).toBe(8);
    expect(s(TOKENS_SUM, tokens(embeddings, 'output'))).toBeUndefined();

    // Responses API, not streamed: 44 in, 288 out, 9 reasoning.
    const responses = openai('gpt-5.4', 'gpt-5.4-2026-03-05');
    expect(s(DURATION, responses)).toBe(1);
    expect(s(TOKENS_SUM, tokens(responses, 'input'))).toBe(44);
    expect(s(TOKENS_SUM, tokens(responses, 'output'))).toBe(288);
    expect(s(DETAIL, tokens(responses, 'reasoning'))).toBe(9);

    // Anthropic, not streamed: input_tokens 4 + cache_read 1163 + cache_creation 0 = 1167 billable.
    const message = anthropic('claude-3-5-sonnet-20240620');
    expect(s(DURATION, message)).toBe(1);
    expect(s(TOKENS_SUM, tokens(message, 'input'))).toBe(1167);
    expect(s(TOKENS_SUM, tokens(message, 'output'))).toBe(202);
    expect(s(DETAIL, tokens(message, 'cache_read'))).toBe(1163);

    // Anthropic stream: 13 in (message_start), 5 out (message_delta), one content delta.
    const anthropicStream = anthropic('claude-sonnet-4-20250514');
    expect(s(DURATION, anthropicStream)).toBe(1);
    expect(s(TOKENS_SUM, tokens(anthropicStream, 'input'))).toBe(13);
    expect(s(TOKENS_SUM, tokens(anthropicStream, 'output'))).toBe(5);
    const anthropicTimings = {
      gen_ai_operation_name: 'chat',
      gen_ai_provider_name: 'anthropic',
      gen_ai_request_model: 'claude-sonnet-4-20250514',
    };
    expect(s(FIRST, anthropicTimings)).toBe(1);
    expect(s(PER_CHUNK, anthropicTimings)).toBeUndefined();

    // The stream helpers: recorded once each, through create().
    expect(seen.helperMessage).toBe(5);
    const helper = { ...anthropic('claude-helper'), gen_ai_response_model: 'claude-sonnet-4-20250514' };
    expect(s(DURATION, helper)).toBe(1);
    expect(s(TOKENS_SUM, tokens(helper, 'output'))).toBe(5);
    const chatHelper = openai('gpt-4o-mini-helper', 'gpt-4o-mini-2024-07-18');
    expect(seen.helperChat).toBe(combo.chatHelper ? 12 : undefined);
    expect(s(DURATION, chatHelper)).toBe(combo.chatHelper ? 1 : undefined);
    expect(s(TOKENS_SUM, tokens(chatHelper, 'output'))).toBe(combo.chatHelper ? 12 : undefined);

    // Early break after 2 chunks: one successful call, chunk timings, no tokens (never reported).
    const broken = openai('gpt-4o-mini-break', 'gpt-4o-mini-2024-07-18');
    expect(s(DURATION, broken)).toBe(1);
    expect(s(FIRST, openai('gpt-4o-mini-break'))).toBe(1);
    expect(s(PER_CHUNK, openai('gpt-4o-mini-break'))).toBe(1);
    expect(s(TOKENS_SUM, tokens(broken, 'input'))).toBeUndefined();

    // Failures, each once, with its error.type.
    expect(s(DURATION, openai('gpt-5-nano', undefined, { error_type: '429' }))).toBe(1);
    expect(s(DURATION, openai('gpt-5-nano', undefined, { error_type: '500' }))).toBe(1);
    expect(s(DURATION, openai('gpt-5-nano', undefined, { error_type: combo.reset }))).toBe(1);
    expect(
      s(DURATION, {
        gen_ai_operation_name: 'chat',
        gen_ai_provider_name: 'anthropic',
        gen_ai_request_model: 'claude-sonnet-4-20250514',
        error_type: '529',
      }),
    ).toBe(1);
    // The stream that died after 5 events: the model was seen, the 4 gaps timed, the error kept.
    expect(
      s(DURATION, openai('gpt-4o-mini-midstream', 'gpt-4o-mini-2024-07-18', { error_type: combo.midStream })),
    ).toBe(1);
    expect(s(PER_CHUNK, openai('gpt-4o-mini-midstream'))).toBe(4);

    // Two 429s retried by the SDK, then the answer: three HTTP requests, one operation.
    const retryRequests = replay.received.slice(before).filter((r) => r.scenario === 'retry-twice');
    expect(retryRequests).toHaveLength(3);
    expect(s(DURATION, openai('gpt-5-nano-retried', 'gpt-5-nano-2025-08-07'))).toBe(1);

    // What each call cost, priced from the built-in catalog by the
    // model that answered: exact decimal sums of the captured usage.
    const cost = (provider: string, model: string, operation = 'chat') =>
      sample(samples, 'ml_cost_usd_total', {
        gen_ai_operation_name: operation,
        gen_ai_provider_name: provider,
        gen_ai_request_model: model,
      });
    // gpt-5-nano: 11 in x $0.05/M + 228 out x $0.40/M.
    expect(cost('openai', 'gpt-5-nano')).toBe(0.00009175);
    expect(cost('openai', 'gpt-5-nano-retried')).toBe(0.00009175);
    // gpt-4o-mini(-2024-07-18): (12 + 22) in x $0.15/M + (12 + 6) out x $0.60/M.
    expect(cost('openai', 'gpt-4o-mini')).toBe(0.0000159);
    expect(cost('openai', 'text-embedding-3-small', 'embeddings')).toBe(0.00000016);
    // claude-3-5-sonnet: 4 uncached x $3/M + 1163 cache reads x $0.30/M + 202 out x $15/M.
    expect(cost('anthropic', 'claude-3-5-sonnet-20240620')).toBe(0.0033909);
    // claude-sonnet-4 (also what answered the helper's claude-helper request): 13 x $3/M + 5 x $15/M.
    expect(cost('anthropic', 'claude-sonnet-4-20250514')).toBe(0.000114);
    expect(cost('anthropic', 'claude-helper')).toBe(0.000114);
    expect(cost('openai', 'gpt-4o-mini-helper')).toBe(combo.chatHelper ? 0.000009 : undefined);
    // gpt-5.4(-2026-03-05), priced since the catalog's refresh (genai-prices 0.1.8): 44 in x $2.50/M
    // + 288 out x $15/M (its 9 reasoning tokens are output tokens: no reasoning rate).
    expect(cost('openai', 'gpt-5.4')).toBe(0.00443);
    expect(samples.filter((x) => x.name === 'ml_cost_unpriced_total')).toEqual([]);
    expect(samples.filter((x) => x.name === 'ml_cost_usd_total')).toHaveLength(combo.chatHelper ? 9 : 8);
    expect(stderr).not.toMatch(/no price for model/);

    // Nothing else: 14 duration series in all (15 with the chat helper), each with the replay
    // server's address.
    const durations = samples.filter((x) => x.name === DURATION);
    expect(durations).toHaveLength(combo.chatHelper ? 15 : 14);
    const port = new URL(replay.url).port;
    for (const d of durations) expect([d.labels.server_address, d.labels.server_port]).toEqual(['127.0.0.1', port]);
    expect(stderr.split('\n').filter((line) => line !== '' && !line.includes('no price for model'))).toEqual([]);
  });
});

describe('budgets under the preload', () => {
  it('a hard-stop budget refuses the call that would go over, before it is sent', async () => {
    const before = replay.received.length;
    const budgets = JSON.stringify([{ name: 'tiny', limitUsd: 0.0002, window: 'day', hardStop: true }]);
    const { seen, samples, stderr } = await runApp(
      { ...COMBOS[0]!, app: 'budget.mjs' as Combo['app'] },
      { MLTEL_BUDGETS: budgets },
    );
    // $0.00009175 a call: after three the spend ($0.00027525) is over the limit; the fourth is refused.
    expect(seen).toEqual({
      completed: 3,
      refusal: { class: 'BudgetExceededError', name: 'BudgetExceededError', budget: 'tiny', limitUsd: 0.0002 },
    });
    expect(replay.received.slice(before)).toHaveLength(3);
    const budget = { ml_budget_name: 'tiny', ml_budget_window: 'day' };
    const value = (name: string) => samples.find((x) => x.name === name && x.labels.ml_budget_name === 'tiny')?.value;
    expect(samples.find((x) => x.name === 'ml_budget_spent_usd')?.labels).toMatchObject(budget);
    expect(value('ml_budget_spent_usd')).toBe(0.00027525);
    expect(value('ml_budget_remaining_usd')).toBe(0);
    expect(value('ml_budget_limit_usd')).toBe(0.0002);
    expect(value('ml_budget_exceeded_total')).toBe(1);
    expect(value('ml_budget_refused_total')).toBe(1);
    // The default threshold handler logs once per threshold: 80%, 95%, exceeded.
    expect(stderr.split('\n').filter((l) => l.includes('budget "tiny"'))).toHaveLength(3);
  });
});

describe('prices under the preload', () => {
  it('a corrupt MLTEL_PRICES file is one clear line; calls are priced with the built-in catalog', async () => {
    const dir = tempDir('mltel-prices-');
    try {
      const file = join(dir.path, 'prices.json');
      writeFileSync(file, '{"gpt-4o": {"input_cost_per_token": 2.5e-06,');
      const { samples, stderr } = await runApp(COMBOS[0]!, { MLTEL_PRICES: file });
      const lines = stderr.split('\n').filter((l) => l.includes(file));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/not valid JSON.*Fix: check MLTEL_PRICES/);
      const chat = samples.find(
        (x) => x.name === 'ml_cost_usd_total' && x.labels.gen_ai_request_model === 'gpt-5-nano',
      );
      expect(chat?.value).toBe(0.00009175);
    } finally {
      dir.remove();
    }
  });

  it('a LiteLLM-format MLTEL_PRICES file wins over the built-in prices', async () => {
    const dir = tempDir('mltel-prices-');
    try {
      const file = join(dir.path, 'prices.json');
      // gpt-5-nano at ten times its price, and gpt-5.4 at a price of its own: the file's undated
      // gpt-5.4 wins over the built-in gpt-5.4-2026-03-05 that answered.
      writeFileSync(
        file,
        JSON.stringify({
          'gpt-5-nano': { litellm_provider: 'openai', input_cost_per_token: 5e-7, output_cost_per_token: 4e-6 },
          'gpt-5.4': { litellm_provider: 'openai', input_cost_per_token: 1e-6, output_cost_per_token: 1e-5 },
        }),
      );
      const { samples } = await runApp(COMBOS[0]!, { MLTEL_PRICES: file });
      const cost = (model: string) =>
        samples.find((x) => x.name === 'ml_cost_usd_total' && x.labels.gen_ai_request_model === model)?.value;
      expect(cost('gpt-5-nano')).toBe(0.0009175);
      // 44 in x $1/M + 288 out x $10/M.
      expect(cost('gpt-5.4')).toBe(0.002924);
      expect(samples.filter((x) => x.name === 'ml_cost_unpriced_total')).toEqual([]);
    } finally {
      dir.remove();
    }
  });
});

describe('what the instrumentation must not do', () => {
  const combos = [COMBOS[0]!, COMBOS[6]!];

  it.each(combos)('changes nothing the app sees ($app, $openai)', async (combo) => {
    const instrumented = await runApp(combo);
    const plain = await runApp(combo, { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'openai,anthropic' });
    expect(plain.samples.filter((x) => x.name.startsWith('gen_ai_'))).toEqual([]);
    // Same results, same error classes, statuses and messages, same chunk counts.
    expect(instrumented.seen).toEqual(plain.seen);
  });

  it('exports no prompt, no response text and no API key', async () => {
    const { text } = await runApp(COMBOS[0]!);
    const manifest = JSON.parse(readFileSync(join(CAPTURES, 'manifest.json'), 'utf8')) as { texts: string[] }[];
    const canaries = ['CANARY', 'sk-test', 'strawberry', 'Bearer', 'x-api-key', ...manifest.flatMap((m) => m.texts)];
    expect(canaries.length).toBeGreaterThan(8);
    expect(text).toContain('gen_ai_client_operation_duration_seconds');
    for (const canary of canaries) expect(text, canary).not.toContain(canary);
  });

  it('is disabled one client at a time by OTEL_NODE_DISABLED_INSTRUMENTATIONS', async () => {
    const { samples } = await runApp(COMBOS[0]!, { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'anthropic' });
    const providers = new Set(samples.filter((x) => x.name === DURATION).map((x) => x.labels.gen_ai_provider_name));
    expect([...providers]).toEqual(['openai']);
  });

  it('keeps model names to the allow-list of MLTEL_GENAI_MODELS', async () => {
    const { samples } = await runApp(COMBOS[0]!, { MLTEL_GENAI_MODELS: 'gpt-5-nano*,claude-3-5-sonnet-20240620' });
    const models = new Set(
      samples
        .filter((x) => x.name === DURATION)
        .flatMap((x) => [x.labels.gen_ai_request_model, x.labels.gen_ai_response_model]),
    );
    expect([...models].sort()).toEqual(
      [
        '_OTHER',
        'claude-3-5-sonnet-20240620',
        'gpt-5-nano',
        'gpt-5-nano-2025-08-07',
        'gpt-5-nano-retried',
        undefined,
      ].sort(),
    );
  });
});
