import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, getText, query, ROOT, spawnChild, tempDir, until, startPrometheus } from './helpers.js';
import type { Child } from './helpers.js';

// Drift end to end: `mltel drift profile` builds the reference profile from a CSV file (the real
// CLI binary), a scoring service under `node --import @mltel/node/register` loads it and scores
// shifted traffic (test/fixtures/quality-app), and the real Prometheus scrapes the service.
const CLI = join(ROOT, 'packages/cli/dist/bin.js');
const APP = join(ROOT, 'test/fixtures/quality-app/app.mjs');

/** A reference CSV: amount ~ N(100, 15) (deterministic), country cycling FR/DE/ES, 5000 rows. */
function referenceCsv(): string {
  let a = 11;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const lines = ['amount,country'];
  const countries = ['FR', 'DE', 'ES'];
  for (let i = 0; i < 5000; i++) {
    const z = Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
    lines.push(`${(100 + 15 * z).toFixed(4)},${countries[i % 3]}`);
  }
  return `${lines.join('\n')}\n`;
}

async function value(api: string, promql: string): Promise<number[]> {
  return (await query(api, promql)).map((s) => Number(s.value[1]));
}

describe('drift scores from a CLI-built profile, scraped by Prometheus', () => {
  const dir = tempDir('mltel-drift-');
  let app: Child;
  let prometheus: Child;
  let api: string;

  beforeAll(async () => {
    writeFileSync(join(dir.path, 'reference.csv'), referenceCsv());
    execFileSync(
      process.execPath,
      [
        CLI,
        'drift',
        'profile',
        join(dir.path, 'reference.csv'),
        '--out',
        join(dir.path, 'profile.json'),
        '--numeric',
        'amount',
        '--categorical',
        'country',
      ],
      {
        encoding: 'utf8',
      },
    );
    const metricsPort = await freePort();
    app = spawnChild(process.execPath, ['--import', '@mltel/node/register', APP], {
      cwd: ROOT,
      env: {
        OTEL_LOG_LEVEL: 'warn',
        OTEL_SERVICE_NAME: 'quality-app',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
        MLTEL_GPU: 'false',
        PROFILE: join(dir.path, 'profile.json'),
      },
    });
    await app.waitForLine(/^quality-app: ready/);
    writeFileSync(
      join(dir.path, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        'scrape_configs:',
        '  - job_name: quality-app',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${metricsPort}']`,
        '',
      ].join('\n'),
    );
    ({ api, child: prometheus } = await startPrometheus(dir.path));
    await until(
      () => value(api, 'up'),
      (v) => v[0] === 1,
      30_000,
    );
  });

  afterAll(async () => {
    await prometheus?.stop();
    await app?.stop();
    dir.remove();
  });

  it('publishes every method for the shifted feature over its critical threshold, and not for the unchanged one', async () => {
    const psi = await until(
      () =>
        value(
          api,
          'ml_drift_score{ml_model_name="fraud-v3",ml_feature_name="amount",ml_drift_method="psi",ml_drift_kind="distribution"}',
        ),
      (v) => v.length === 1,
      30_000,
    );
    // A one-standard-deviation shift of the mean: PSI far over 0.25 (critical).
    expect(psi[0]).toBeGreaterThan(0.25);
    const methods = (await query(api, 'ml_drift_score{ml_feature_name="amount"}'))
      .map((s) => s.metric.ml_drift_method)
      .sort();
    expect(methods).toEqual(['hellinger', 'js', 'ks', 'psi', 'wasserstein']);
    // KS of N(0,1) against N(1,1) is about 0.38 (sample noise at 500 values is well under 0.1).
    const [ks] = await value(api, 'ml_drift_score{ml_feature_name="amount",ml_drift_method="ks"}');
    expect(ks).toBeGreaterThan(0.28);
    expect(ks).toBeLessThan(0.48);
    // Wasserstein of a 1-sd shift of sd 15 is about 15.
    const [w] = await value(api, 'ml_drift_score{ml_feature_name="amount",ml_drift_method="wasserstein"}');
    expect(w).toBeGreaterThan(10);
    expect(w).toBeLessThan(20);
    // The country mix is the reference's: PSI well under the 0.1 warning threshold.
    const [country] = await value(api, 'ml_drift_score{ml_feature_name="country",ml_drift_method="psi"}');
    expect(country).toBeLessThan(0.1);
  });

  it('counts predictions by class, the accuracy of late out-of-order labels, and the alerts', async () => {
    expect(await value(api, 'sum(ml_predictions_total{ml_model_name="fraud-v3"})')).toEqual([1000]);
    expect(await value(api, 'ml_predictions_total{ml_prediction_class="fraud"}')).toEqual([500]);
    expect(await value(api, 'ml_prediction_confidence_count')).toEqual([1000]);
    expect(await value(api, 'ml_model_accuracy_ratio{ml_model_name="fraud-v3"}')).toEqual([0.75]);
    // Two windows of 500, the amount shift critical in both: the handler ran once per window.
    expect(app.stdout()).toContain('quality-app: ready alerts=2');
    const critical = await value(
      api,
      'sum(ml_drift_alerts_total{ml_model_name="fraud-v3",ml_alert_severity="critical",ml_drift_kind="distribution"})',
    );
    expect(critical[0]).toBeGreaterThanOrEqual(2);
    // No request id reached an attribute.
    const series = await getText(`${api}/api/v1/series?${new URLSearchParams({ 'match[]': '{job="quality-app"}' })}`);
    expect(series).toContain('"__name__":"ml_drift_score"');
    expect(series).not.toContain('req-');
  });
});
