import { randomUUID } from 'node:crypto';
import { MLTEL_VERSION } from '@mltel/kit';
import {
  defaultResource,
  detectResources,
  hostDetector,
  osDetector,
  processDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import type { Resource, ResourceDetector } from '@opentelemetry/resources';
import type { ResourceDetectorName, ResourceDetectorSetting } from './config/types.js';

/**
 * The process detector without `process.command_args`: a command line can hold secrets (a token
 * passed as an argument), and a resource attribute is exported with every batch.
 */
const processWithoutArgs: ResourceDetector = {
  detect(config) {
    const { 'process.command_args': _args, ...attributes } = processDetector.detect(config).attributes ?? {};
    return { attributes };
  },
};

/**
 * `service.instance.id`: a new UUID each time the SDK starts. The library's serviceInstanceIdDetector
 * draws one per loaded module: a start() after shutdown() must not reuse its predecessor's.
 */
const serviceInstanceIdDetector: ResourceDetector = {
  detect: () => ({ attributes: { 'service.instance.id': randomUUID() } }),
};

// `env` is not a detector here: the configuration reads OTEL_RESOURCE_ATTRIBUTES (with its
// problems reported) and passes them as `extra` only when `env` is selected (./config/env.ts).
const DETECTORS: Record<ResourceDetectorName, ResourceDetector | undefined> = {
  env: undefined,
  host: hostDetector,
  os: osDetector,
  process: processWithoutArgs,
  serviceinstance: serviceInstanceIdDetector,
};

function detectorsOf(setting: ResourceDetectorSetting): ResourceDetector[] {
  if (setting === 'default') return [hostDetector, serviceInstanceIdDetector];
  return setting.flatMap((item) => {
    const detector = typeof item === 'string' ? DETECTORS[item] : item;
    return detector === undefined ? [] : [detector];
  });
}

/**
 * The process's resource:
 * - always: `telemetry.sdk.*` (the OpenTelemetry SDK, as `defaultResource()` gives it),
 *   `telemetry.distro.*` (mltel), `service.name` (`serviceName`, else `unknown_service:node`);
 * - the detectors of `OTEL_NODE_RESOURCE_DETECTORS` (`detectors`); unset (`default`): host,
 *   `service.instance.id`, and the process id and runtime (not the process detector: its command
 *   line can hold secrets; named explicitly, it runs without `process.command_args`);
 * - `extra` (OTEL_RESOURCE_ATTRIBUTES when `env` is on, and StartOptions.resourceAttributes) over
 *   the detected ones, and `serviceName` over everything.
 */
export function buildResource(
  serviceName: string | undefined,
  extra: Record<string, string>,
  detectors: ResourceDetectorSetting = 'default',
): Resource {
  let resource = defaultResource().merge(
    resourceFromAttributes({
      'service.name': 'unknown_service:node',
      'telemetry.distro.name': '@mltel/node',
      'telemetry.distro.version': MLTEL_VERSION,
    }),
  );
  if (detectors === 'default')
    resource = resource.merge(
      resourceFromAttributes({
        'process.pid': process.pid,
        'process.runtime.name': 'nodejs',
        'process.runtime.version': process.versions.node,
      }),
    );
  resource = resource
    .merge(detectResources({ detectors: detectorsOf(detectors) }))
    .merge(resourceFromAttributes(extra));
  if (serviceName !== undefined) resource = resource.merge(resourceFromAttributes({ 'service.name': serviceName }));
  return resource;
}
