import { existsSync } from 'node:fs';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { describe, expect, it } from 'vitest';
import { loadUpstreamSerializer, upstreamSerializerPath } from './upstream.js';

describe('the upstream Prometheus serializer', () => {
  it('is loaded from its own module, the one the package exports', () => {
    // A release that moves the module fails here (the start-up would load the exporter again).
    expect(existsSync(upstreamSerializerPath())).toBe(true);
    expect(loadUpstreamSerializer()).toBe(PrometheusSerializer);
  });
});
