// The Collector configurations and the compose stack, checked without a Collector or Docker
// (collector/check-configs.mjs): they parse, pipelines name defined contrib components, the
// Prometheus exporters keep mltel's names, and compose has its services and an env password.
import { describe, expect, it } from 'vitest';
import { allProblems, collectorProblems, composeProblems } from '../../collector/check-configs.mjs';

describe('the collector deployment files', () => {
  it('have no problems', () => {
    expect(allProblems()).toEqual([]);
  });

  it('a pipeline naming an undefined or non-contrib component is a problem (so the check can fail)', () => {
    const config = {
      receivers: { otlp: {}, kafka: {} },
      processors: { batch: {} },
      exporters: { prometheus: { add_metric_suffixes: false, resource_to_telemetry_conversion: { enabled: true } } },
      service: {
        pipelines: { metrics: { receivers: ['otlp'], processors: ['batch'], exporters: ['prometheus', 'otlp'] } },
      },
    };
    expect(collectorProblems(config, 'x.yaml')).toEqual([
      'x.yaml: receivers.kafka is not a contrib component mltel uses',
      'x.yaml: pipeline metrics names exporters otlp, not defined',
      'x.yaml: metrics must start with memory_limiter',
      'x.yaml: prometheus drops the unit suffixes',
      'x.yaml: prometheus must keep resources on target_info (resource_to_telemetry_conversion off)',
    ]);
  });

  it('a literal Grafana password, a missing service or mount is a problem', () => {
    const problems = composeProblems({
      services: {
        grafana: {
          environment: { GF_SECURITY_ADMIN_PASSWORD: 'admin' },
          volumes: ['./nowhere:/x'],
          depends_on: ['db'],
        },
      },
    });
    expect(problems).toContain('compose: no service prometheus');
    expect(problems).toContain('compose: the Grafana password must come from the environment (GF_ADMIN_PASSWORD)');
    expect(problems).toContain('compose: grafana mounts ./nowhere, which does not exist');
    expect(problems).toContain('compose: grafana depends on db, not a service');
    expect(problems).toContain('compose: no gateway profile');
  });
});
