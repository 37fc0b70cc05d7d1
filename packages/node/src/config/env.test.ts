import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseKeyValueList, resolveConfig } from './env.js';

describe('resolveConfig', () => {
  it('defaults to a Prometheus endpoint on 127.0.0.1:9464 and needs no infrastructure', () => {
    const { config, problems } = resolveConfig({ env: {} });
    expect(problems).toEqual([]);
    expect(config).toMatchObject({
      disabled: false,
      exporters: ['prometheus'],
      prometheusHost: '127.0.0.1',
      prometheusPort: 9464,
      otlpProtocol: 'http/protobuf',
      otlpEndpoint: 'http://localhost:4318/v1/metrics',
      exportIntervalMillis: 60000,
      exportTimeoutMillis: 30000,
      hostMetrics: true,
      logLevel: 'warn',
    });
  });

  it('reads the standard OTel variables', () => {
    const { config, problems } = resolveConfig({
      env: {
        OTEL_METRICS_EXPORTER: 'otlp, prometheus,console',
        OTEL_EXPORTER_PROMETHEUS_HOST: '0.0.0.0',
        OTEL_EXPORTER_PROMETHEUS_PORT: '9999',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
        OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc,x-tenant=ml',
        OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'x-tenant=metrics',
        OTEL_METRIC_EXPORT_INTERVAL: '5000',
        OTEL_SERVICE_NAME: 'worker',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=prod,team=ml%20infra',
        MLTEL_HOST_METRICS: 'false',
      },
    });
    expect(problems).toEqual([]);
    expect(config.exporters).toEqual(['otlp', 'prometheus', 'console']);
    expect(config.prometheusHost).toBe('0.0.0.0');
    expect(config.prometheusPort).toBe(9999);
    expect(config.otlpEndpoint).toBe('http://collector:4318/v1/metrics');
    expect(config.otlpHeaders).toEqual({ authorization: 'Bearer abc', 'x-tenant': 'metrics' });
    expect(config.exportIntervalMillis).toBe(5000);
    expect(config.exportTimeoutMillis).toBe(5000);
    expect(config.serviceName).toBe('worker');
    expect(config.resourceAttributes).toEqual({ 'deployment.environment.name': 'prod', team: 'ml infra' });
    expect(config.hostMetrics).toBe(false);
  });

  it('prefers the metrics-specific endpoint as-is and keeps gRPC endpoints without a path', () => {
    expect(
      resolveConfig({
        env: {
          OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://vm:8428/opentelemetry/v1/metrics',
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://ignored:4318',
        },
      }).config.otlpEndpoint,
    ).toBe('http://vm:8428/opentelemetry/v1/metrics');
    const grpc = resolveConfig({ env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' } }).config;
    expect(grpc.otlpProtocol).toBe('grpc');
    expect(grpc.otlpEndpoint).toBe('http://localhost:4317');
    expect(
      resolveConfig({
        env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json' },
      }).config.otlpProtocol,
    ).toBe('http/json');
  });

  it('none turns every exporter off', () => {
    expect(resolveConfig({ env: { OTEL_METRICS_EXPORTER: 'none' } }).config.exporters).toEqual([]);
  });

  it('read the host=provider rules of MLTEL_GENAI_PROVIDERS as a list', () => {
    const { config } = resolveConfig({ env: { MLTEL_GENAI_PROVIDERS: 'vllm.internal:8000=vllm, :11435=ollama,' } });
    expect(config.genAiProviders).toEqual(['vllm.internal:8000=vllm', ':11435=ollama']);
    expect(resolveConfig({ env: {} }).config.genAiProviders).toBeUndefined();
  });

  it('options win over variables', () => {
    const { config } = resolveConfig({
      env: { OTEL_EXPORTER_PROMETHEUS_PORT: '1234', OTEL_SERVICE_NAME: 'env' },
      prometheusPort: 0,
      serviceName: 'code',
      exporters: ['console'],
    });
    expect(config.prometheusPort).toBe(0);
    expect(config.serviceName).toBe('code');
    expect(config.exporters).toEqual(['console']);
  });

  it.each([
    ['OTEL_EXPORTER_PROMETHEUS_PORT', '70000', 'prometheusPort', 9464],
    ['OTEL_EXPORTER_PROMETHEUS_PORT', '94.64', 'prometheusPort', 9464],
    ['OTEL_METRIC_EXPORT_INTERVAL', 'often', 'exportIntervalMillis', 60000],
    ['OTEL_METRIC_EXPORT_INTERVAL', '-1', 'exportIntervalMillis', 60000],
    ['MLTEL_HOST_METRICS', 'maybe', 'hostMetrics', true],
    ['OTEL_SDK_DISABLED', 'yes please', 'disabled', false],
    ['OTEL_LOG_LEVEL', 'loud', 'logLevel', 'warn'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318', 'otlpEndpoint', 'http://localhost:4318/v1/metrics'],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'udp', 'otlpProtocol', 'http/protobuf'],
  ] as const)('%s=%s is one problem naming the variable; the default is used', (name, value, key, fallback) => {
    const { config, problems } = resolveConfig({ env: { [name]: value } });
    expect(config[key]).toBe(fallback);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.setting).toBe(name);
    expect(problems[0]!.message).toContain(`${name}="${value}"`);
    expect(problems[0]!.message).toMatch(/Fix|using/);
  });

  it('drops unknown exporter names and keeps the known ones', () => {
    const { config, problems } = resolveConfig({ env: { OTEL_METRICS_EXPORTER: 'zipkin,prometheus' } });
    expect(config.exporters).toEqual(['prometheus']);
    expect(problems.map((p) => p.setting)).toEqual(['OTEL_METRICS_EXPORTER']);
  });
});

describe('LLM client settings', () => {
  it('instrument every client by default, with open model names and manual provider health', () => {
    const { config, problems } = resolveConfig({ env: {} });
    expect(problems).toEqual([]);
    expect(config.llmInstrumentations).toEqual([
      'openai',
      'anthropic',
      'google-genai',
      'bedrock-runtime',
      'ai',
      'mistral',
      'groq',
      'cohere',
      'ollama',
      'fal',
      'langchain',
    ]);
    expect(config.genAiModels).toBeUndefined();
    expect(config.deriveProviderHealth).toBe(false);
  });

  it('follow OTEL_NODE_DISABLED_INSTRUMENTATIONS and OTEL_NODE_ENABLED_INSTRUMENTATIONS, ignoring names of other instrumentations', () => {
    const disabled = resolveConfig({ env: { OTEL_NODE_DISABLED_INSTRUMENTATIONS: ' anthropic , http' } });
    expect(disabled.config.llmInstrumentations).toEqual([
      'openai',
      'google-genai',
      'bedrock-runtime',
      'ai',
      'mistral',
      'groq',
      'cohere',
      'ollama',
      'fal',
      'langchain',
    ]);
    expect(disabled.problems).toEqual([]);
    const enabled = resolveConfig({ env: { OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,anthropic' } });
    expect(enabled.config.llmInstrumentations).toEqual(['anthropic']);
    const both = resolveConfig({
      env: { OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'openai,anthropic', OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'openai' },
    });
    expect(both.config.llmInstrumentations).toEqual(['anthropic']);
  });

  it('read the model allow-list and the provider-health mode; a bad mode is one problem naming the fix', () => {
    const { config } = resolveConfig({
      env: { MLTEL_GENAI_MODELS: 'gpt-4o*, claude-3-5-sonnet-20240620,,', MLTEL_PROVIDER_HEALTH: 'Outcomes' },
    });
    expect(config.genAiModels).toEqual(['gpt-4o*', 'claude-3-5-sonnet-20240620']);
    expect(config.deriveProviderHealth).toBe(true);
    const bad = resolveConfig({ env: { MLTEL_PROVIDER_HEALTH: 'auto' } });
    expect(bad.config.deriveProviderHealth).toBe(false);
    expect(bad.problems).toEqual([
      expect.objectContaining({
        setting: 'MLTEL_PROVIDER_HEALTH',
        message: expect.stringContaining('MLTEL_PROVIDER_HEALTH=outcomes'),
      }),
    ]);
  });

  it('options win over variables', () => {
    const { config } = resolveConfig({
      env: { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'openai', MLTEL_GENAI_MODELS: 'x' },
      llmInstrumentations: ['openai'],
      genAiModels: ['y'],
      deriveProviderHealth: true,
    });
    expect(config).toMatchObject({ llmInstrumentations: ['openai'], genAiModels: ['y'], deriveProviderHealth: true });
  });
});

describe('cost settings', () => {
  it('price calls by default, with no budgets, in memory', () => {
    const { config, problems } = resolveConfig({ env: {} });
    expect(problems).toEqual([]);
    expect(config).toMatchObject({
      cost: true,
      priceFiles: [],
      prices: [],
      budgets: [],
      budgetStore: { kind: 'memory' },
    });
  });

  it('read MLTEL_PRICES, inline MLTEL_BUDGETS and the three store kinds', () => {
    const budgets = [{ name: 'daily', limitUsd: 50, window: 'day', hardStop: true }];
    const { config, problems } = resolveConfig({
      env: {
        MLTEL_COST: 'true',
        MLTEL_PRICES: '/etc/prices.json, https://example.test/model_prices.json',
        MLTEL_BUDGETS: JSON.stringify(budgets),
        MLTEL_BUDGET_STORE: 'file:/var/lib/app/budgets.json',
      },
    });
    expect(problems).toEqual([]);
    expect(config.priceFiles).toEqual(['/etc/prices.json', 'https://example.test/model_prices.json']);
    expect(config.budgets).toEqual(budgets);
    expect(config.budgetStore).toEqual({ kind: 'file', path: '/var/lib/app/budgets.json' });
    expect(
      resolveConfig({ env: { MLTEL_BUDGET_STORE: 'redis://:secret@127.0.0.1:6379/2' } }).config.budgetStore,
    ).toEqual({
      kind: 'redis',
      url: 'redis://:secret@127.0.0.1:6379/2',
    });
    expect(resolveConfig({ env: { MLTEL_COST: 'false' } }).config.cost).toBe(false);
  });

  // The file's budgets reaching the cost meter: cost.test.ts (it is read when the cost meter starts).
  it('record an MLTEL_BUDGETS file path without reading it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mltel-budgets-'));
    try {
      const file = join(dir, 'budgets.json');
      writeFileSync(file, '[{"name":"hourly","limitUsd":"2.5","window":"hour"}]');
      const { config, problems } = resolveConfig({ env: { MLTEL_BUDGETS: file } });
      expect(problems).toEqual([]);
      expect(config.budgets).toEqual([]);
      expect(config.budgetsFile).toBe(file);
      expect(resolveConfig({ env: { MLTEL_BUDGETS: '[]' } }).config.budgetsFile).toBeUndefined();
      expect(resolveConfig({ env: { MLTEL_BUDGETS: file }, budgets: [] }).config.budgetsFile).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a bad budget setting is one problem naming the variable and the fix, never a throw', () => {
    // A missing budgets file is reported when the cost meter starts: cost.test.ts.
    const missing = resolveConfig({ env: { MLTEL_BUDGETS: '/no/such/budgets.json' } });
    expect(missing.config.budgets).toEqual([]);
    expect(missing.problems).toEqual([]);
    const broken = resolveConfig({ env: { MLTEL_BUDGETS: '[{"name":' } });
    expect(broken.problems).toEqual([
      expect.objectContaining({ setting: 'MLTEL_BUDGETS', message: expect.stringContaining('Fix:') }),
    ]);
    const store = resolveConfig({ env: { MLTEL_BUDGET_STORE: 'mysql://user:pw@db/x' } });
    expect(store.config.budgetStore).toEqual({ kind: 'memory' });
    expect(store.problems).toHaveLength(1);
    expect(store.problems[0]!.message).not.toContain('pw');
  });
});

describe('multi-process settings', () => {
  it('default to on, a 1000 ms scrape timeout and a 5000 ms push interval', () => {
    const { config, problems } = resolveConfig({ env: {} });
    expect(problems).toEqual([]);
    expect([config.multiprocess, config.multiprocessTimeoutMillis, config.multiprocessPushMillis]).toEqual([
      true,
      1000,
      5000,
    ]);
  });

  it('are read from MLTEL_MULTIPROCESS*, options winning', () => {
    const env = {
      MLTEL_MULTIPROCESS: 'false',
      MLTEL_MULTIPROCESS_TIMEOUT: '250',
      MLTEL_MULTIPROCESS_PUSH_INTERVAL: '0',
    };
    const { config } = resolveConfig({ env });
    expect([config.multiprocess, config.multiprocessTimeoutMillis, config.multiprocessPushMillis]).toEqual([
      false,
      250,
      0,
    ]);
    expect(resolveConfig({ env, multiprocess: true }).config.multiprocess).toBe(true);
  });

  it('a bad value keeps the default and names the setting and the fix', () => {
    const { config, problems } = resolveConfig({
      env: { MLTEL_MULTIPROCESS_TIMEOUT: '0', MLTEL_MULTIPROCESS: 'maybe' },
    });
    expect(config.multiprocessTimeoutMillis).toBe(1000);
    expect(config.multiprocess).toBe(true);
    expect(problems.map((p) => p.setting).sort()).toEqual(['MLTEL_MULTIPROCESS', 'MLTEL_MULTIPROCESS_TIMEOUT']);
    expect(problems.every((p) => p.message.includes('Fix:'))).toBe(true);
  });
});

describe('the exit bound and the OTLP TLS files', () => {
  it('MLTEL_SHUTDOWN_TIMEOUT: default 5000 ms, a valid value, a bad one (one problem, default kept)', () => {
    expect(resolveConfig({ env: {} }).config.shutdownTimeoutMillis).toBe(5000);
    expect(resolveConfig({ env: { MLTEL_SHUTDOWN_TIMEOUT: '1500' } }).config.shutdownTimeoutMillis).toBe(1500);
    expect(resolveConfig({ env: {}, shutdownTimeoutMillis: 10 }).config.shutdownTimeoutMillis).toBe(10);
    for (const raw of ['0', '-1', '2.5', 'soon', '600001']) {
      const { config, problems } = resolveConfig({ env: { MLTEL_SHUTDOWN_TIMEOUT: raw } });
      expect(config.shutdownTimeoutMillis).toBe(5000);
      expect(problems).toHaveLength(1);
      expect(problems[0]!.setting).toBe('MLTEL_SHUTDOWN_TIMEOUT');
      expect(problems[0]!.message).toContain('MLTEL_SHUTDOWN_TIMEOUT');
    }
  });

  it('resolves the TLS file variables, the metrics-specific one first', () => {
    const { config } = resolveConfig({
      env: {
        OTEL_EXPORTER_OTLP_CERTIFICATE: '/generic/ca.pem',
        OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE: '/metrics/ca.pem',
        OTEL_EXPORTER_OTLP_CLIENT_KEY: '/generic/key.pem',
      },
    });
    expect(config.otlpTlsFiles).toEqual({
      ca: { setting: 'OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE', path: '/metrics/ca.pem' },
      key: { setting: 'OTEL_EXPORTER_OTLP_CLIENT_KEY', path: '/generic/key.pem' },
    });
  });
});

describe('problems never echo secrets or garbage', () => {
  it('redacts endpoint credentials and escapes and cuts bad values', () => {
    const { problems } = resolveConfig({
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://alice:pw-1@collector?api_key=K-2',
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'nope bob:pw-3@x?token=T-4',
        MLTEL_BUDGET_STORE: 'mongo://carol:pw-5@db',
        OTEL_LOG_LEVEL: `loud\u001b[31m${'x'.repeat(10_000)}`,
      },
    });
    const text = problems.map((p) => p.message).join('\n');
    for (const secret of ['pw-1', 'K-2', 'pw-3', 'T-4', 'pw-5', '\u001b']) expect(text).not.toContain(secret);
    expect(text).toContain('\\x1b');
    expect(text.length).toBeLessThan(2000);
  });
});

describe('parseKeyValueList', () => {
  it('decodes values and reports malformed entries', () => {
    const problems: { setting: string; message: string }[] = [];
    expect(parseKeyValueList('a=1,=2,b,c=%E0%A4%A,d=x=y', 'OTEL_RESOURCE_ATTRIBUTES', problems)).toEqual({
      a: '1',
      d: 'x=y',
    });
    expect(problems).toHaveLength(3);
    expect(problems.every((p) => p.setting === 'OTEL_RESOURCE_ATTRIBUTES')).toBe(true);
  });
});
