// Section "Recording one tracked LLM call": one finished provider call is one
// gen_ai.client.operation.duration observation plus two gen_ai.client.token.usage observations
// (input, output), with the GenAI call attributes. mltel's ProviderMeter against the same three
// histogram records by hand on the raw OTel SDK (the baseline) and prom-client written by hand.
import { createProviderMeter } from '@mltel/genai';
import {
  GEN_AI_CLIENT_OPERATION_DURATION,
  GEN_AI_CLIENT_TOKEN_USAGE,
  GEN_AI_DURATION_BUCKETS,
  GEN_AI_TOKEN_BUCKETS,
} from '@mltel/semconv';
import promClient from 'prom-client';

// 2 providers x 5 request models each = 10 series per (metric, token type); every request model
// is answered by its own dated response model, as providers report them.
const PROVIDERS = [
  {
    provider: 'openai',
    serverAddress: 'api.openai.com',
    serverPort: 443,
    models: ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'o3-mini'],
  },
  {
    provider: 'anthropic',
    serverAddress: 'api.anthropic.com',
    serverPort: 443,
    models: ['claude-sonnet-4', 'claude-opus-4', 'claude-3-5-haiku', 'claude-3-7-sonnet', 'claude-3-5-sonnet'],
  },
];
const SERIES = PROVIDERS.flatMap((p) =>
  p.models.map((model, i) => ({
    provider: p.provider,
    serverAddress: p.serverAddress,
    serverPort: p.serverPort,
    model,
    responseModel: `${model}-2025-0${i + 1}-01`,
  })),
);
export const GENAI_SERIES = SERIES.length;

// Precomputed calls: series rotate, durations (0.05 s to ~40 s) and token counts (tens to tens
// of thousands) spread over the buckets. CALLS.length is a power of two, so index & MASK.
const CALLS = Array.from({ length: 256 }, (_, i) => ({
  ...SERIES[i % SERIES.length],
  series: i % SERIES.length,
  durationSeconds: 0.05 * 1.027 ** i,
  inputTokens: 20 + ((i * 7919) % 30000),
  outputTokens: 5 + ((i * 104729) % 4000),
}));
const MASK = CALLS.length - 1;

function otelHistograms(provider) {
  const meter = provider.getMeter('bench');
  return {
    duration: meter.createHistogram(GEN_AI_CLIENT_OPERATION_DURATION.name, {
      unit: GEN_AI_CLIENT_OPERATION_DURATION.unit,
      description: GEN_AI_CLIENT_OPERATION_DURATION.description,
      advice: { explicitBucketBoundaries: [...GEN_AI_DURATION_BUCKETS] },
    }),
    tokens: meter.createHistogram(GEN_AI_CLIENT_TOKEN_USAGE.name, {
      unit: GEN_AI_CLIENT_TOKEN_USAGE.unit,
      description: GEN_AI_CLIENT_TOKEN_USAGE.description,
      advice: { explicitBucketBoundaries: [...GEN_AI_TOKEN_BUCKETS] },
    }),
  };
}

const PROM_LABELS = [
  'gen_ai_operation_name',
  'gen_ai_provider_name',
  'gen_ai_request_model',
  'gen_ai_response_model',
  'server_address',
  'server_port',
];

function promHistograms(registry) {
  return {
    duration: new promClient.Histogram({
      name: 'gen_ai_client_operation_duration_seconds',
      help: GEN_AI_CLIENT_OPERATION_DURATION.description,
      labelNames: PROM_LABELS,
      buckets: [...GEN_AI_DURATION_BUCKETS],
      registers: [registry],
    }),
    tokens: new promClient.Histogram({
      name: 'gen_ai_client_token_usage',
      help: GEN_AI_CLIENT_TOKEN_USAGE.description,
      labelNames: [...PROM_LABELS, 'gen_ai_token_type'],
      buckets: [...GEN_AI_TOKEN_BUCKETS],
      registers: [registry],
    }),
  };
}

/**
 * The variants; each fn records `batch` calls. `newProvider()` returns a fresh MeterProvider with
 * its own reader. Every variant builds its call/attribute/label objects per call from the
 * precomputed values, as application code would.
 */
export function genAiRecordVariants(newProvider, batch) {
  // 1) mltel ProviderMeter.record()
  const recordMeter = createProviderMeter({ meterProvider: newProvider() });
  let a = 0;
  const mltelRecord = () => {
    for (let k = 0; k < batch; k++, a++) {
      const c = CALLS[a & MASK];
      recordMeter.record({
        provider: c.provider,
        operation: 'chat',
        model: c.model,
        serverAddress: c.serverAddress,
        serverPort: c.serverPort,
        durationSeconds: c.durationSeconds,
        usage: { responseModel: c.responseModel, inputTokens: c.inputTokens, outputTokens: c.outputTokens },
      });
    }
  };

  // 2) mltel start(call) then timer.end(usage): the auto-instrumentation's path. It reads the
  //    clock twice and records the measured (sub-microsecond) duration.
  const startMeter = createProviderMeter({ meterProvider: newProvider() });
  let b = 0;
  const mltelStartEnd = () => {
    for (let k = 0; k < batch; k++, b++) {
      const c = CALLS[b & MASK];
      const timer = startMeter.start({
        provider: c.provider,
        operation: 'chat',
        model: c.model,
        serverAddress: c.serverAddress,
        serverPort: c.serverPort,
      });
      timer.end({ responseModel: c.responseModel, inputTokens: c.inputTokens, outputTokens: c.outputTokens });
    }
  };

  // 3) raw OTel SDK: the same three histogram.record calls by hand (baseline).
  const otel = otelHistograms(newProvider());
  let d = 0;
  const rawOtel = () => {
    for (let k = 0; k < batch; k++, d++) {
      const c = CALLS[d & MASK];
      const attributes = {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': c.provider,
        'gen_ai.request.model': c.model,
        'gen_ai.response.model': c.responseModel,
        'server.address': c.serverAddress,
        'server.port': c.serverPort,
      };
      otel.duration.record(c.durationSeconds, attributes);
      otel.tokens.record(c.inputTokens, { ...attributes, 'gen_ai.token.type': 'input' });
      otel.tokens.record(c.outputTokens, { ...attributes, 'gen_ai.token.type': 'output' });
    }
  };

  // 4) prom-client by hand: labels object per observe, in a fresh Registry.
  const promRegistry = new promClient.Registry();
  const prom = promHistograms(promRegistry);
  let e = 0;
  const promRecord = () => {
    for (let k = 0; k < batch; k++, e++) {
      const c = CALLS[e & MASK];
      const labels = {
        gen_ai_operation_name: 'chat',
        gen_ai_provider_name: c.provider,
        gen_ai_request_model: c.model,
        gen_ai_response_model: c.responseModel,
        server_address: c.serverAddress,
        server_port: c.serverPort,
      };
      prom.duration.observe(labels, c.durationSeconds);
      prom.tokens.observe({ ...labels, gen_ai_token_type: 'input' }, c.inputTokens);
      prom.tokens.observe({ ...labels, gen_ai_token_type: 'output' }, c.outputTokens);
    }
  };

  // 5) prom-client with children bound once per series (histogram.labels(...)) and looked up by
  //    series index: the best case for hand-written code, no label hashing per call.
  const promBRegistry = new promClient.Registry();
  const promB = promHistograms(promBRegistry);
  const children = SERIES.map((s) => {
    const labels = {
      gen_ai_operation_name: 'chat',
      gen_ai_provider_name: s.provider,
      gen_ai_request_model: s.model,
      gen_ai_response_model: s.responseModel,
      server_address: s.serverAddress,
      server_port: s.serverPort,
    };
    return {
      duration: promB.duration.labels(labels),
      input: promB.tokens.labels({ ...labels, gen_ai_token_type: 'input' }),
      output: promB.tokens.labels({ ...labels, gen_ai_token_type: 'output' }),
    };
  });
  let f = 0;
  const promBound = () => {
    for (let k = 0; k < batch; k++, f++) {
      const c = CALLS[f & MASK];
      const child = children[c.series];
      child.duration.observe(c.durationSeconds);
      child.input.observe(c.inputTokens);
      child.output.observe(c.outputTokens);
    }
  };

  return [
    { name: 'mltel-record', label: 'mltel `ProviderMeter.record()`', fn: mltelRecord },
    { name: 'mltel-start-end', label: 'mltel `start(call)` + `timer.end(usage)`', fn: mltelStartEnd },
    { name: 'otel', label: 'raw OTel SDK, 3 × `histogram.record`', fn: rawOtel },
    { name: 'prom', label: 'prom-client by hand, 3 × `observe(labels, v)`', fn: promRecord, registry: promRegistry },
    {
      name: 'prom-bound',
      label: 'prom-client, children bound per series, 3 × `child.observe(v)`',
      fn: promBound,
      registry: promBRegistry,
    },
  ];
}

/**
 * Sanity check before timing: the same calls recorded through mltel record(), raw OTel and
 * prom-client give the same series and the same counts and sums. Throws on a mismatch.
 */
export async function checkGenAiVariants(MeterProvider, Reader) {
  const n = CALLS.length * 2;
  const summarize = async (reader) => {
    const { resourceMetrics, errors } = await reader.collect();
    if (errors.length > 0) throw new Error(`collect failed: ${errors}`);
    const out = {};
    for (const sm of resourceMetrics.scopeMetrics) {
      for (const m of sm.metrics) {
        const points = m.dataPoints;
        // genAiRecordVariants() creates every variant's instruments; only the one run has data.
        if (points.length === 0) continue;
        if (out[m.descriptor.name] !== undefined) throw new Error(`genai: ${m.descriptor.name} recorded twice`);
        out[m.descriptor.name] = {
          series: points.length,
          count: points.reduce((s, p) => s + p.value.count, 0),
          sum: Math.round(points.reduce((s, p) => s + p.value.sum, 0) * 1e6) / 1e6,
          attrs: [...new Set(points.flatMap((p) => Object.keys(p.attributes)))].sort().join(','),
        };
      }
    }
    return out;
  };
  const results = {};
  for (const name of ['mltel-record', 'otel']) {
    const reader = new Reader();
    const provider = new MeterProvider({ readers: [reader] });
    const variant = genAiRecordVariants(() => provider, n).find((v) => v.name === name);
    variant.fn();
    const summary = await summarize(reader);
    results[name] = {
      duration: summary[GEN_AI_CLIENT_OPERATION_DURATION.name],
      tokens: summary[GEN_AI_CLIENT_TOKEN_USAGE.name],
    };
  }
  {
    // start/end measures its own durations: compare the token histogram and the duration count.
    const reader = new Reader();
    const provider = new MeterProvider({ readers: [reader] });
    genAiRecordVariants(() => provider, n)
      .find((v) => v.name === 'mltel-start-end')
      .fn();
    const summary = await summarize(reader);
    const duration = summary[GEN_AI_CLIENT_OPERATION_DURATION.name];
    if (
      JSON.stringify(summary[GEN_AI_CLIENT_TOKEN_USAGE.name]) !== JSON.stringify(results.otel.tokens) ||
      duration.series !== results.otel.duration.series ||
      duration.count !== results.otel.duration.count
    ) {
      throw new Error(`genai: mltel start/end recorded differently: ${JSON.stringify(summary)}`);
    }
  }
  const a = JSON.stringify(results['mltel-record']);
  const b = JSON.stringify(results.otel);
  if (a !== b) throw new Error(`genai: mltel and raw OTel recorded differently:\n${a}\n${b}`);
  const expected = results.otel;
  if (expected.duration.series !== SERIES.length || expected.tokens.series !== 2 * SERIES.length) {
    throw new Error(`genai: expected ${SERIES.length} duration series, got ${JSON.stringify(expected)}`);
  }
  // prom-client: the same counts and sums, from its own registry.
  for (const name of ['prom', 'prom-bound']) {
    const variant = genAiRecordVariants(() => new MeterProvider({ readers: [new Reader()] }), n).find(
      (v) => v.name === name,
    );
    variant.fn();
    const got = {};
    for (const metric of await variant.registry.getMetricsAsJSON()) {
      const values = metric.values;
      const counts = values.filter((v) => v.metricName.endsWith('_count'));
      got[metric.name] = {
        series: counts.length,
        count: counts.reduce((s, v) => s + v.value, 0),
        sum:
          Math.round(values.filter((v) => v.metricName.endsWith('_sum')).reduce((s, v) => s + v.value, 0) * 1e6) / 1e6,
      };
    }
    for (const [metric, want] of [
      ['gen_ai_client_operation_duration_seconds', expected.duration],
      ['gen_ai_client_token_usage', expected.tokens],
    ]) {
      const g = got[metric];
      if (g?.series !== want.series || g.count !== want.count || Math.abs(g.sum - want.sum) > 1e-6 * want.sum) {
        throw new Error(`genai: ${name} ${metric} ${JSON.stringify(g)} differs from OTel ${JSON.stringify(want)}`);
      }
    }
  }
  return expected;
}
