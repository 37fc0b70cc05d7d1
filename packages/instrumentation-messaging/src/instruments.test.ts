import { METRICS } from '@mltel/semconv';
import { describe, expect, it } from 'vitest';
import { sdkProvider } from '../test/harness.js';
import { bindMessagingInstruments } from './instruments.js';

describe('bindMessagingInstruments', () => {
  it('creates every instrument the catalog gives this package, with its unit and description', async () => {
    const sdk = sdkProvider();
    const binding = bindMessagingInstruments(
      {
        connections: (r) => r.observe(1, { 'ml.connection.state': 'connected' }),
        queueJobs: (r) => r.observe(2, { 'ml.queue.state': 'waiting' }),
      },
      sdk.provider,
    );
    const i = binding.get();
    i.operationDuration.record(1);
    i.sent.add(1);
    i.consumed.add(1);
    i.processDuration.record(1);
    i.bodySize.record(1);
    i.reconnections.add(1);
    i.connectionErrors.add(1);
    i.publishRetries.add(1);
    const c = await sdk.collect();
    const owned = METRICS.filter((m) => m.owner === '@mltel/instrumentation-messaging');
    expect(owned).toHaveLength(10);
    for (const m of owned) {
      const metric = c.metric(m.name);
      expect(metric, m.name).toBeDefined();
      expect(metric!.descriptor.unit).toBe(m.unit);
      expect(metric!.descriptor.description).toBe(m.description);
    }
    binding.dispose();
  });
});
