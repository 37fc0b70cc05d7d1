import { randomUUID } from 'node:crypto';
import { MLTEL_VERSION } from '@mltel/kit';
import { detectResources, hostDetector, resourceFromAttributes } from '@opentelemetry/resources';
import type { Resource } from '@opentelemetry/resources';

/**
 * The process's resource: `OTEL_SERVICE_NAME` / `OTEL_RESOURCE_ATTRIBUTES` (as resolved by the config), host
 * name and arch, the runtime, and a `service.instance.id` per process. The process detector is
 * left out on purpose: it reports command-line arguments, which can hold secrets.
 */
export function buildResource(serviceName: string | undefined, extra: Record<string, string>): Resource {
  const base = resourceFromAttributes({
    'service.name': 'unknown_service:node',
    'service.instance.id': randomUUID(),
    'process.pid': process.pid,
    'process.runtime.name': 'nodejs',
    'process.runtime.version': process.versions.node,
    'telemetry.distro.name': '@mltel/node',
    'telemetry.distro.version': MLTEL_VERSION,
  });
  const detected = detectResources({ detectors: [hostDetector] });
  let resource = base.merge(detected).merge(resourceFromAttributes(extra));
  if (serviceName !== undefined) resource = resource.merge(resourceFromAttributes({ 'service.name': serviceName }));
  return resource;
}
