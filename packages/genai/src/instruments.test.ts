import { diag } from '@opentelemetry/api';
import { DataPointType } from '@opentelemetry/sdk-metrics';
import { GEN_AI_FIRST_CHUNK_BUCKETS, GEN_AI_PER_CHUNK_BUCKETS } from '@mltel/semconv';
import { MLTEL_VERSION, ProviderBinding } from '@mltel/kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  captureDiag,
  CIRCUIT,
  CIRCUIT_STATE,
  DURATION,
  DURATION_BUCKETS,
  FIRST_CHUNK,
  oneAt,
  PER_CHUNK,
  PROVIDER,
  sdkProvider,
  setup,
  STATUS,
  TOKEN_BUCKETS,
  TOKENS,
} from '../test/harness.js';
import { ProviderHealthState } from './health.js';
import { createGenAiInstruments, SCOPE_NAME, SCOPE_VERSION } from './instruments.js';

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  expect(log.errors).toEqual([]);
  diag.disable();
});

const CHAT = { provider: 'openai', operation: 'chat', model: 'gpt-4o' } as const;

describe('instruments', () => {
  it('creates the instruments with their names, units, kinds and the @mltel/genai scope', async () => {
    const { meter, reader } = setup();
    meter.record({
      ...CHAT,
      durationSeconds: 1,
      timeToFirstChunkSeconds: 0.2,
      usage: { inputTokens: 1, cacheReadInputTokens: 1, images: 1, audioSeconds: 1, videoSeconds: 1 },
    });
    const timer = meter.start(CHAT);
    timer.chunk();
    timer.chunk();
    timer.end();
    meter.setStatus('openai', true);
    meter.setCircuitState('openai', 'closed');

    const { resourceMetrics, errors } = await reader.collect();
    expect(errors).toEqual([]);
    expect(resourceMetrics.scopeMetrics.map((s) => [s.scope.name, s.scope.version])).toEqual([
      ['@mltel/genai', '0.1.0'],
    ]);
    expect([SCOPE_NAME, SCOPE_VERSION]).toEqual(['@mltel/genai', '0.1.0']);
    const described = resourceMetrics.scopeMetrics[0]!.metrics.map((m) => ({
      name: m.descriptor.name,
      unit: m.descriptor.unit,
      type: m.dataPointType,
      monotonic: m.dataPointType === DataPointType.SUM ? m.isMonotonic : undefined,
    })).sort((a, b) => a.name.localeCompare(b.name));
    expect(described).toEqual([
      { name: 'gen_ai.client.operation.duration', unit: 's', type: DataPointType.HISTOGRAM, monotonic: undefined },
      {
        name: 'gen_ai.client.operation.time_per_output_chunk',
        unit: 's',
        type: DataPointType.HISTOGRAM,
        monotonic: undefined,
      },
      {
        name: 'gen_ai.client.operation.time_to_first_chunk',
        unit: 's',
        type: DataPointType.HISTOGRAM,
        monotonic: undefined,
      },
      { name: 'gen_ai.client.token.usage', unit: '{token}', type: DataPointType.HISTOGRAM, monotonic: undefined },
      { name: 'ml.audio.duration', unit: 's', type: DataPointType.SUM, monotonic: true },
      { name: 'ml.gen_ai.images', unit: '{image}', type: DataPointType.SUM, monotonic: true },
      { name: 'ml.gen_ai.token.detail', unit: '{token}', type: DataPointType.SUM, monotonic: true },
      { name: 'ml.provider.circuit_breaker.state', unit: '{state}', type: DataPointType.GAUGE, monotonic: undefined },
      { name: 'ml.provider.status', unit: '{status}', type: DataPointType.GAUGE, monotonic: undefined },
      { name: 'ml.video.duration', unit: 's', type: DataPointType.SUM, monotonic: true },
    ]);
    expect(log.warnings).toEqual([]);
  });

  it('uses the semconv bucket boundaries for the four histograms', async () => {
    const { meter, collect } = setup();
    meter.record({ ...CHAT, durationSeconds: 1, timeToFirstChunkSeconds: 0.3, usage: { inputTokens: 100 } });
    const timer = meter.start({ ...CHAT, model: 'gpt-4o-mini' });
    timer.chunk();
    timer.chunk();
    timer.end();
    const c = await collect();
    expect(DURATION_BUCKETS).toEqual([
      0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
    ]);
    expect(TOKEN_BUCKETS).toEqual([
      1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
    ]);
    const firstChunk = [...GEN_AI_FIRST_CHUNK_BUCKETS];
    expect(c.histograms(DURATION).map((h) => h.boundaries)).toEqual([DURATION_BUCKETS, DURATION_BUCKETS]);
    expect(c.histograms(TOKENS).map((h) => h.boundaries)).toEqual([TOKEN_BUCKETS]);
    expect(c.histograms(FIRST_CHUNK).map((h) => h.boundaries)).toEqual([firstChunk, firstChunk]);
    expect(c.histograms(PER_CHUNK).map((h) => h.boundaries)).toEqual([[...GEN_AI_PER_CHUNK_BUCKETS]]);
    // 1 s falls in (0.64, 1.28]; 100 tokens in (64, 256]; 0.3 s in (0.25, 0.5].
    expect(c.histograms(DURATION)[0]!.counts).toEqual(oneAt(DURATION_BUCKETS, 7));
    expect(c.histograms(TOKENS)[0]!.counts).toEqual(oneAt(TOKEN_BUCKETS, 4));
    expect(c.histograms(FIRST_CHUNK)[0]!.counts).toEqual(oneAt(firstChunk, 9));
  });
});

describe('createGenAiInstruments()', () => {
  it('the scope version is the mltel version', () => {
    expect(SCOPE_VERSION).toBe(MLTEL_VERSION);
  });

  it('the health gauges read the health state at each collection, through the binding', async () => {
    const sdk = sdkProvider();
    const health = new ProviderHealthState(false);
    const binding = new ProviderBinding(
      SCOPE_NAME,
      (meter, callbacks) => createGenAiInstruments(meter, callbacks, health),
      { meterProvider: sdk.provider },
    );
    binding.get();
    expect((await sdk.collect()).points(STATUS)).toEqual([]);
    health.setStatus('openai', true);
    health.setCircuitState('openai', 'half_open');
    let c = await sdk.collect();
    expect(c.points(STATUS)).toEqual([{ attributes: { [PROVIDER]: 'openai' }, value: 1 }]);
    expect(c.points(CIRCUIT).map((p) => [p.attributes[CIRCUIT_STATE], p.value])).toEqual([
      ['closed', 0],
      ['half_open', 1],
      ['open', 0],
    ]);
    health.setStatus('openai', false);
    c = await sdk.collect();
    expect(c.points(STATUS)).toEqual([{ attributes: { [PROVIDER]: 'openai' }, value: 0 }]);
  });

  it('registers the gauge callbacks only through the registry, so dispose() removes them', async () => {
    const sdk = sdkProvider();
    const health = new ProviderHealthState(false);
    health.setStatus('openai', true);
    health.setCircuitState('openai', 'open');
    const binding = new ProviderBinding(
      SCOPE_NAME,
      (meter, callbacks) => createGenAiInstruments(meter, callbacks, health),
      { meterProvider: sdk.provider },
    );
    binding.get().duration.record(1, {});
    binding.dispose();
    const c = await sdk.collect();
    expect(c.histograms(DURATION).map((h) => h.count)).toEqual([1]);
    expect(c.points(STATUS)).toEqual([]);
    expect(c.points(CIRCUIT)).toEqual([]);
  });
});
