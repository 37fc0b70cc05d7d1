#!/usr/bin/env node
// Checks the Collector and compose files without a Collector binary or Docker: they parse as
// YAML, every pipeline names components that are defined, every component is one the contrib
// distribution ships, the Prometheus exporters keep the direct-scrape names, and the compose
// stack has its services, mounts that exist and a Grafana password from the environment.
//   node collector/check-configs.mjs      # prints the problems; exit 1 when there are any
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Component types of otelcol-contrib that the shipped configurations may use. */
export const CONTRIB_COMPONENTS = {
  receivers: ['otlp', 'prometheus', 'hostmetrics'],
  processors: ['memory_limiter', 'batch', 'resourcedetection', 'resource', 'attributes', 'filter'],
  exporters: ['prometheus', 'prometheusremotewrite', 'otlp', 'otlphttp', 'debug', 'loadbalancing'],
  extensions: ['health_check', 'pprof', 'zpages'],
};

const type = (id) => id.split('/')[0];

/** Problems of one Collector configuration (an overlay is checked merged onto its base). */
export function collectorProblems(config, name) {
  const problems = [];
  for (const [kind, known] of Object.entries(CONTRIB_COMPONENTS)) {
    for (const id of Object.keys(config[kind] ?? {})) {
      if (!known.includes(type(id))) problems.push(`${name}: ${kind}.${id} is not a contrib component mltel uses`);
    }
  }
  const pipelines = config.service?.pipelines ?? {};
  if (Object.keys(pipelines).length === 0) problems.push(`${name}: no pipeline`);
  for (const [pipeline, spec] of Object.entries(pipelines)) {
    for (const kind of ['receivers', 'processors', 'exporters']) {
      for (const id of spec[kind] ?? []) {
        if (!(id in (config[kind] ?? {})))
          problems.push(`${name}: pipeline ${pipeline} names ${kind} ${id}, not defined`);
      }
    }
    if ((spec.processors ?? [])[0] !== 'memory_limiter')
      problems.push(`${name}: ${pipeline} must start with memory_limiter`);
  }
  for (const id of config.service?.extensions ?? []) {
    if (!(id in (config.extensions ?? {}))) problems.push(`${name}: extension ${id} not defined`);
  }
  for (const [id, exporter] of Object.entries(config.exporters ?? {})) {
    if (!type(id).startsWith('prometheus')) continue;
    if (exporter.add_metric_suffixes === false) problems.push(`${name}: ${id} drops the unit suffixes`);
    if (exporter.resource_to_telemetry_conversion?.enabled !== false) {
      problems.push(`${name}: ${id} must keep resources on target_info (resource_to_telemetry_conversion off)`);
    }
  }
  return problems;
}

// A Collector overlay merges maps; lists (pipeline components) replace.
function merge(base, overlay) {
  if (typeof base !== 'object' || base === null || Array.isArray(base)) return overlay;
  const out = { ...base };
  for (const [key, value] of Object.entries(overlay ?? {})) out[key] = key in base ? merge(base[key], value) : value;
  return out;
}

/** Problems of the compose file. */
export function composeProblems(compose) {
  const problems = [];
  const services = compose.services ?? {};
  for (const name of [
    'otel-collector',
    'prometheus',
    'alertmanager',
    'grafana',
    'task-worker',
    'inference-server',
    'classification-api',
    'generation-service',
    'ml-producer',
  ]) {
    if (!(name in services)) problems.push(`compose: no service ${name}`);
  }
  const password = services.grafana?.environment?.GF_SECURITY_ADMIN_PASSWORD;
  if (typeof password !== 'string' || !/^\$\{GF_ADMIN_PASSWORD:\?/.test(password)) {
    problems.push('compose: the Grafana password must come from the environment (GF_ADMIN_PASSWORD)');
  }
  if (!Object.values(services).some((s) => (s.profiles ?? []).includes('gateway')))
    problems.push('compose: no gateway profile');
  for (const [name, service] of Object.entries(services)) {
    for (const volume of service.volumes ?? []) {
      const host = String(volume).split(':')[0];
      if (host.startsWith('.') && !existsSync(`${ROOT}${host}`))
        problems.push(`compose: ${name} mounts ${host}, which does not exist`);
    }
    for (const dependency of service.depends_on ?? []) {
      if (!(dependency in services)) problems.push(`compose: ${name} depends on ${dependency}, not a service`);
    }
  }
  return problems;
}

/** Every problem of the shipped files. */
export function allProblems() {
  const read = (path) => parse(readFileSync(`${ROOT}${path}`, 'utf8'), { merge: true });
  const base = read('collector/otel-collector.yaml');
  return [
    ...collectorProblems(base, 'otel-collector.yaml'),
    ...collectorProblems(
      merge(base, read('collector/otel-collector.remote-write.yaml')),
      'otel-collector.remote-write.yaml',
    ),
    ...collectorProblems(read('collector/otel-collector-gateway.yaml'), 'otel-collector-gateway.yaml'),
    ...composeProblems(read('docker-compose.yml')),
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const problems = allProblems();
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) process.exit(1);
  console.log('collector and compose files: ok');
}
