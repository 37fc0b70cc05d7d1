// mltel's preload next to the real Elastic EDOT Node.js (@elastic/opentelemetry-node), EDOT first,
// with a Prometheus endpoint and an OTLP push (to a real VictoriaMetrics).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADOPTED,
  duplicateSeries,
  EDOT,
  expectedSeries,
  linesWith,
  MLTEL,
  runScenario,
  samplesOf,
  scrapedExpected,
  startVictoriaMetrics,
} from './coexistence-harness.js';
import type { Outcome, Receiver } from './coexistence-harness.js';

describe('EDOT Node.js first, then mltel', () => {
  let receiver: Receiver;
  let run: Outcome;
  beforeAll(async () => {
    receiver = await startVictoriaMetrics();
    run = await runScenario(receiver, [EDOT, MLTEL], 'coexist-edot', {
      // EDOT defaults to delta temporality (for Elasticsearch); VictoriaMetrics keeps cumulative
      // sums and histograms only. EDOT logs the choice at info.
      OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'cumulative',
    });
  });
  afterAll(async () => {
    await run?.app.stop();
    await receiver?.stop();
  });

  it('pushes every mltel and HTTP series once, with exact counts, through EDOT', () => {
    expect(run.received).toEqual(expectedSeries('mltel'));
  });

  it("serves them once on EDOT's Prometheus endpoint, nothing twice", () => {
    expect(scrapedExpected(run.scrape, 'upstream')).toEqual(expectedSeries('upstream'));
    expect(duplicateSeries(run.scrape)).toEqual([]);
  });

  it("leaves process metrics to EDOT's host metrics: one process.memory.usage series", () => {
    expect(samplesOf(run.scrape, 'process_memory_usage')).toHaveLength(1);
  });

  it("says once, through EDOT's logger, that mltel records into EDOT's provider", () => {
    expect(linesWith(run.app, ADOPTED)).toHaveLength(1);
    expect(linesWith(run.app, 'EADDRINUSE')).toEqual([]);
  });

  it('ends on SIGTERM as under EDOT alone: exit code 143 after its shutdown', async () => {
    // mltel sees EDOT's SIGTERM listener as the application's and only flushes.
    expect(await run.app.stop()).toEqual({ code: 143, signal: null });
  });
});

describe('mltel first, then EDOT Node.js', () => {
  let receiver: Receiver;
  let run: Outcome;
  beforeAll(async () => {
    receiver = await startVictoriaMetrics();
    run = await runScenario(receiver, [MLTEL, EDOT], 'coexist-edot-second');
  });
  afterAll(async () => {
    await run?.app.stop();
    await receiver?.stop();
  });

  it("pushes and serves every mltel and HTTP series once through mltel's exporters", () => {
    expect(run.received).toEqual(expectedSeries('mltel'));
    expect(scrapedExpected(run.scrape, 'mltel')).toEqual(expectedSeries('mltel'));
    expect(duplicateSeries(run.scrape)).toEqual([]);
  });

  it("leaves the report to EDOT's own logger, which replaced mltel's: the API's error is there", () => {
    expect(linesWith(run.app, 'Attempted duplicate registration of API: metrics').length).toBeGreaterThan(0);
  });
});
