// mltel's preload next to the real @opentelemetry/auto-instrumentations-node/register, in both
// orders, with a Prometheus endpoint and an OTLP push (to a real VictoriaMetrics) configured by
// the one OTEL_METRICS_EXPORTER both read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADOPTED,
  AUTO,
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

describe('auto-instrumentations-node/register first, then mltel', () => {
  let run: Outcome;
  beforeAll(async () => {
    // OTEL_LOG_LEVEL=info: mltel's line is info here (the other SDK runs the exporters asked for).
    run = await runScenario(receiver, [AUTO, MLTEL], 'coexist-auto-first', { OTEL_LOG_LEVEL: 'info' });
  });
  afterAll(async () => {
    // auto-instrumentations-node's SIGTERM listener shuts its SDK down but does not exit (as
    // without mltel), so SIGTERM would wait for stop()'s SIGKILL.
    run?.app.process.kill('SIGKILL');
    await run?.app.exited;
  });

  it('pushes every mltel and HTTP series once, with exact counts, through that SDK', () => {
    expect(run.received).toEqual(expectedSeries('mltel'));
  });

  it("serves them once on that SDK's Prometheus endpoint (upstream names), nothing twice", () => {
    expect(scrapedExpected(run.scrape, 'upstream')).toEqual(expectedSeries('upstream'));
    expect(duplicateSeries(run.scrape)).toEqual([]);
  });

  it('says once that mltel records into that SDK, and nothing clashes on the port', () => {
    expect(linesWith(run.app, ADOPTED)).toHaveLength(1);
    expect(linesWith(run.app, 'EADDRINUSE')).toEqual([]);
    expect(linesWith(run.app, 'Attempted duplicate registration')).toEqual([]);
  });
});

describe('mltel first, then auto-instrumentations-node/register', () => {
  let run: Outcome;
  beforeAll(async () => {
    run = await runScenario(receiver, [MLTEL, AUTO], 'coexist-auto-second');
  });
  afterAll(async () => {
    // auto-instrumentations-node's SIGTERM listener shuts its SDK down but does not exit (as
    // without mltel), so SIGTERM would wait for stop()'s SIGKILL.
    run?.app.process.kill('SIGKILL');
    await run?.app.exited;
  });

  it("pushes every mltel and HTTP series once through mltel's exporter", () => {
    expect(run.received).toEqual(expectedSeries('mltel'));
  });

  it("serves them once on mltel's endpoint, under mltel's names", () => {
    expect(scrapedExpected(run.scrape, 'mltel')).toEqual(expectedSeries('mltel'));
    expect(duplicateSeries(run.scrape)).toEqual([]);
  });

  it("says once what to do about the other SDK's exporters", () => {
    expect(linesWith(run.app, LATE)).toHaveLength(1);
    expect(linesWith(run.app, LATE)[0]).toContain('Fix: load that SDK before @mltel/node/register');
  });
});
