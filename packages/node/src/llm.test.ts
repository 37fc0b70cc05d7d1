// The LLM client instrumentations through the real `openai` client (a dev dependency of
// @mltel/instrumentation-llm), against a fake OpenAI API on 127.0.0.1.
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { diag, metrics } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { built, captureDiag, sdkProvider } from '../test/harness.js';
import { resolveConfig } from './config/env.js';
import { langChainEsmFiles, startLlmInstrumentations } from './llm.js';

const TOKENS = 'gen_ai.client.token.usage';
const requireFromInstrumentation = createRequire(
  fileURLToPath(new URL('../../instrumentation-llm/package.json', import.meta.url)),
);

let server: Server;
let baseURL: string;
let requests = 0;

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      requests++;
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: 'chatcmpl-1',
          object: 'chat.completion',
          created: 1,
          model: 'gpt-4o-mini-2024-07-18',
          choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
        }),
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

let sdk: ReturnType<typeof sdkProvider>;
let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
  sdk = sdkProvider();
  metrics.setGlobalMeterProvider(sdk.provider);
  requests = 0;
});
afterEach(() => {
  metrics.disable();
  diag.disable();
  expect(log.errors).toEqual([]);
});

/** One chat completion through the real client, required the CommonJS way. */
async function chat(): Promise<void> {
  const { OpenAI } = requireFromInstrumentation('openai') as {
    OpenAI: new (options: {
      apiKey: string;
      baseURL: string;
      maxRetries: number;
    }) => {
      chat: { completions: { create(body: unknown): Promise<unknown> } };
    };
  };
  const client = new OpenAI({ apiKey: 'test-key', baseURL, maxRetries: 0 });
  await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] });
}

async function tokens() {
  return (await sdk.collect()).sums(TOKENS).map(([attributes, sum]) => [attributes['gen_ai.token.type'], sum]);
}

describe('startLlmInstrumentations', () => {
  it('records the calls of the clients it names, until the function it returns is called', async () => {
    const stop = startLlmInstrumentations(
      resolveConfig({ env: { OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'openai' } }).config,
    );
    try {
      await chat();
      expect(requests).toBe(1);
      expect(await tokens()).toEqual([
        ['input', 10],
        ['output', 5],
      ]);
      const [point] = (await sdk.collect()).histograms('gen_ai.client.operation.duration');
      expect(point?.attributes).toMatchObject({
        'gen_ai.provider.name': 'openai',
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
        'server.address': '127.0.0.1',
      });
      expect(point?.count).toBe(1);
    } finally {
      stop();
    }
    await chat();
    expect(requests).toBe(2);
    expect(await tokens()).toEqual([
      ['input', 10],
      ['output', 5],
    ]);
    expect(log.warnings).toEqual([]);
  });

  it('instruments nothing when both clients are disabled', async () => {
    const stop = startLlmInstrumentations(
      resolveConfig({ env: { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'openai,anthropic' } }).config,
    );
    await chat();
    stop();
    expect(requests).toBe(1);
    expect(await tokens()).toEqual([]);
  });
});

describe('langChainEsmFiles', () => {
  it('is the ES module file of the callbacks module @langchain/core resolves to, from the given directory', () => {
    const [file] = langChainEsmFiles(fileURLToPath(new URL('../../instrumentation-llm', import.meta.url)));
    expect(file).toMatch(/^file:\/\/.*@langchain[/+]core.*[/]dist[/]callbacks[/]manager\.js$/);
  });

  it('is nothing where @langchain/core has no callbacks module to resolve', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mltel-langchain-'));
    try {
      mkdirSync(join(dir, 'node_modules/@langchain/core'), { recursive: true });
      writeFileSync(
        join(dir, 'node_modules/@langchain/core/package.json'),
        JSON.stringify({ name: '@langchain/core', exports: { '.': './index.js' } }),
      );
      expect(langChainEsmFiles(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// In a child Node process on the build: the first-load triggers register a resolve hook, which in
// the test process would change how vitest loads modules. A hook registered by --import, before
// the script's own imports, records whether @mltel/instrumentation-llm is resolved (globalThis.loaded).
// The clients are the dev dependencies of @mltel/instrumentation-llm, resolved from its folder (the
// child's working directory); nothing else constructs an instrumentation before them.
const RECORD = `import { registerHooks } from 'node:module';
globalThis.loaded = false;
registerHooks({ resolve(specifier, context, next) {
  const result = next(specifier, context);
  if (result.url.includes('/instrumentation-llm/dist/')) globalThis.loaded = true;
  return result;
} });`;

function inNode(body: string): string[] {
  const url = (path: string) => JSON.stringify(pathToFileURL(built(path)).href);
  const cwd = fileURLToPath(new URL('../../instrumentation-llm/', import.meta.url));
  const script = `import { llmEsmModules, startLlmInstrumentations } from ${url('llm')};
import { registerEsmHook } from ${url('esm-hook')};
import { resolveConfig } from ${url('config/env')};
import { createRequire } from 'node:module';
const require = createRequire(${JSON.stringify(join(cwd, 'app.cjs'))});
const config = resolveConfig({ env: {} }).config;
registerEsmHook(llmEsmModules(config));
const stop = startLlmInstrumentations(config);
console.log('started', loaded);
${body}`;
  const result = spawnSync(
    process.execPath,
    ['--import', `data:text/javascript,${encodeURIComponent(RECORD)}`, '--input-type=module', '-e', script],
    { cwd, encoding: 'utf8', timeout: 20_000 },
  );
  expect(result.stderr).toBe('');
  return result.stdout.trim().split('\n');
}

describe('the LLM client instrumentations', () => {
  it('load only when the application requires a client, and patch that first load', { timeout: 30_000 }, () => {
    expect(
      inNode(`const { OpenAI } = require('openai');
const create = () => OpenAI.Chat.Completions.prototype.create.__wrapped === true;
console.log('openai', loaded, create());
const { Anthropic } = require('@anthropic-ai/sdk');
console.log('anthropic', Anthropic.Messages.prototype.create.__wrapped === true);
stop();
console.log('stopped', create(), Anthropic.Messages.prototype.create.__wrapped === true);`),
    ).toEqual(['started false', 'openai true true', 'anthropic true', 'stopped false false']);
  });

  it('patch the first ES import of a client, and join the AI SDK registry when ai loads', { timeout: 30_000 }, () => {
    expect(
      inNode(`const { default: OpenAI } = await import('openai');
console.log('openai', loaded, OpenAI.Chat.Completions.prototype.create.__wrapped === true);
console.log('before ai', globalThis.AI_SDK_TELEMETRY_INTEGRATIONS?.length ?? 0);
await import('ai');
console.log('ai', globalThis.AI_SDK_TELEMETRY_INTEGRATIONS.length);
stop();
console.log('stopped', globalThis.AI_SDK_TELEMETRY_INTEGRATIONS.length);`),
    ).toEqual(['started false', 'openai true true', 'before ai 0', 'ai 1', 'stopped 0']);
  });

  it('start none once stopped before their client loads', { timeout: 30_000 }, () => {
    expect(
      inNode(`stop();
const { OpenAI } = require('openai');
console.log('openai', loaded, OpenAI.Chat.Completions.prototype.create.__wrapped === true);`),
    ).toEqual(['started false', 'openai false false']);
  });
});
