// A user's own NodeSDK (the real @opentelemetry/sdk-node) with mltel's parts instead of the
// preload (fixtures/coexistence/nodesdk.mjs, as docs/opentelemetry.md shows it), and the same
// NodeSDK started before mltel's preload.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADOPTED,
  duplicateSeries,
  expectedSeries,
  LATE,
  linesWith,
  MLTEL,
  runScenario,
  scrapedExpected,
  startVictoriaMetrics,
} from './coexistence-harness.js';
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
