import { metrics } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { sdkProvider } from '../../test/harness.js';
import { ExemplarStore } from '../exemplars/store.js';
import { createPrometheusEndpoint } from './reader.js';

afterEach(() => metrics.disable());

function setup(
  options: Parameters<typeof createPrometheusEndpoint>[0] = {},
  attributes: Parameters<typeof resourceFromAttributes>[0] = { 'service.name': 'svc' },
) {
  const endpoint = createPrometheusEndpoint(options);
  const provider = new MeterProvider({ resource: resourceFromAttributes(attributes), readers: [endpoint.reader] });
  const meter = provider.getMeter('test');
  return { endpoint, provider, meter };
}

describe('createPrometheusEndpoint', () => {
  it('concurrent scrapes share one collection; a later scrape collects again', async () => {
    let merges = 0;
    const { endpoint, meter } = setup({
      merge: async (rm) => {
        merges++;
        await new Promise((r) => setTimeout(r, 20));
        return rm;
      },
    });
    const counter = meter.createCounter('ml.tasks', { unit: '{task}' });
    counter.add(1);
    const texts = await Promise.all(Array.from({ length: 50 }, () => endpoint.scrape()));
    expect(merges).toBe(1);
    expect(new Set(texts).size).toBe(1);
    expect(texts[0]).toContain('ml_tasks_total 1');
    counter.add(1);
    expect(await endpoint.scrape()).toContain('ml_tasks_total 2');
    expect(merges).toBe(2);
  });

  it('a failed collection fails the scrapes that shared it, and the next one collects anew', async () => {
    let fail = true;
    const { endpoint } = setup({
      merge: async (rm) => {
        if (fail) throw new Error('merge failed');
        return rm;
      },
    });
    const results = await Promise.allSettled([endpoint.scrape(), endpoint.scrape()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(endpoint.scrape()).resolves.toContain('target_info');
  });

  it('scrapes OTel-compatible names, without scope labels, and the resource on target_info', async () => {
    const { endpoint, meter } = setup();
    meter.createCounter('ml.tasks', { unit: '{task}' }).add(2, { 'ml.task.name': 'a' });
    meter.createHistogram('ml.task.duration', { unit: 's', advice: { explicitBucketBoundaries: [1] } }).record(0.5);
    const text = await endpoint.scrape();
    expect(text).toContain('ml_tasks_total{ml_task_name="a"} 2');
    expect(text).toContain('ml_task_duration_seconds_bucket{le="1"} 1');
    expect(text).toContain('ml_task_duration_seconds_count 1');
    expect(text).toMatch(/^target_info\{[^}]*service_name="svc"[^}]*\} 1$/m);
    expect(text).not.toContain('otel_scope_name');
  });

  it('scrapes OpenMetrics on request, coalesced per format, with the exemplars it is given', async () => {
    let merges = 0;
    const store = new ExemplarStore();
    const { endpoint, meter } = setup({
      exemplars: store,
      merge: async (rm) => {
        merges++;
        await new Promise((r) => setTimeout(r, 20));
        return rm;
      },
    });
    meter.createHistogram('ml.task.duration', { unit: 's', advice: { explicitBucketBoundaries: [1] } }).record(0.5);
    store.offer('ml.task.duration', 0.5, {}, 'a'.repeat(32), 'b'.repeat(16));
    const [text, openMetrics, again] = await Promise.all([
      endpoint.scrape(),
      endpoint.scrape('openmetrics'),
      endpoint.scrape('openmetrics'),
    ]);
    expect(merges).toBe(2);
    expect(again).toBe(openMetrics);
    expect(text).not.toContain('# EOF');
    expect(text).not.toContain('trace_id');
    expect(openMetrics).toMatch(
      /^ml_task_duration_seconds_bucket\{le="1"\} 1 # \{trace_id="a{32}",span_id="b{16}"\} 0\.5 /m,
    );
    expect(openMetrics.endsWith('# EOF\n')).toBe(true);
  });

  it('waits for resource attributes that resolve later before writing target_info', async () => {
    const { endpoint } = setup(
      {},
      {
        'service.name': 'svc',
        'host.id': new Promise<string>((resolve) => setTimeout(() => resolve('host-1'), 20)),
      },
    );
    expect(await endpoint.scrape()).toMatch(/^target_info\{[^}]*host_id="host-1"/m);
  });

  it('serves what merge() returns: the multi-process hook', async () => {
    const peer = sdkProvider();
    peer.provider.getMeter('peer').createCounter('ml.peer.tasks').add(5);
    const { endpoint, meter } = setup({
      merge: async (resourceMetrics) => ({
        ...resourceMetrics,
        scopeMetrics: [...resourceMetrics.scopeMetrics, ...(await peer.reader.collect()).resourceMetrics.scopeMetrics],
      }),
    });
    meter.createCounter('ml.tasks').add(1);
    const text = await endpoint.scrape();
    expect(text).toMatch(/^ml_tasks_total 1$/m);
    expect(text).toMatch(/^ml_peer_tasks_total 5$/m);
  });

  it('serves the scrape over HTTP once listening, and stops on close', async () => {
    const { endpoint, meter } = setup();
    meter.createCounter('ml.tasks').add(3);
    const port = await endpoint.listen('127.0.0.1', 0);
    try {
      const served = await (
        await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) })
      ).text();
      expect(served).toBe(await endpoint.scrape());
      expect(served).toMatch(/^ml_tasks_total 3$/m);
    } finally {
      await endpoint.close();
    }
    await expect(fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) })).rejects.toThrow();
  });
});

describe('the metrics server', () => {
  it('serves /metrics, /healthz and 404, and reports a port in use', async () => {
    const { endpoint, meter } = setup();
    meter.createCounter('ml.tasks', { unit: '{task}' }).add(1, { 'ml.task.name': 'a' });
    const port = await endpoint.listen('127.0.0.1', 0);
    try {
      const metricsResponse = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(metricsResponse.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(await metricsResponse.text()).toContain('ml_tasks_total{ml_task_name="a"} 1');
      expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).text()).toBe('ok\n');
      expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' })).status).toBe(405);
      const second = createPrometheusEndpoint();
      await expect(second.listen('127.0.0.1', port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await endpoint.close();
    }
  });
});
