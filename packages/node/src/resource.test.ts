import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { MLTEL_VERSION } from '@mltel/kit';
import { SDK_INFO } from '@opentelemetry/core';
import type { ResourceDetector } from '@opentelemetry/resources';
import { describe, expect, it } from 'vitest';
import type { ResourceDetectorSetting } from './config/types.js';
import { buildResource } from './resource.js';

const PACKAGE_VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

async function attributesOf(
  serviceName: string | undefined,
  extra: Record<string, string> = {},
  detectors: ResourceDetectorSetting = 'default',
) {
  const resource = buildResource(serviceName, extra, detectors);
  await resource.waitForAsyncAttributes?.();
  return resource.attributes;
}

describe('buildResource', () => {
  it('names the distribution with the package version, the runtime and this process', async () => {
    const attributes = await attributesOf(undefined);
    expect(attributes).toMatchObject({
      'service.name': 'unknown_service:node',
      'process.pid': process.pid,
      'process.runtime.name': 'nodejs',
      'process.runtime.version': process.versions.node,
      'telemetry.distro.name': '@mltel/node',
      'telemetry.distro.version': MLTEL_VERSION,
      'host.name': hostname(),
    });
    expect(attributes['telemetry.distro.version']).toBe(PACKAGE_VERSION);
    expect(attributes['host.arch']).toEqual(expect.any(String));
  });

  it('leaves the command line out (it can hold secrets)', async () => {
    const attributes = await attributesOf(undefined);
    expect(Object.keys(attributes).filter((key) => key.startsWith('process.command'))).toEqual([]);
  });

  it('gives each process its own service.instance.id', async () => {
    const a = (await attributesOf(undefined))['service.instance.id'];
    const b = (await attributesOf(undefined))['service.instance.id'];
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(b).not.toBe(a);
  });

  it('merges the extra attributes over the defaults, and the service name over both', async () => {
    const attributes = await attributesOf('checkout', {
      'service.name': 'from-attributes',
      'deployment.environment.name': 'prod',
      'process.runtime.name': 'custom',
    });
    expect(attributes['service.name']).toBe('checkout');
    expect(attributes['deployment.environment.name']).toBe('prod');
    expect(attributes['process.runtime.name']).toBe('custom');
    expect((await attributesOf(undefined, { 'service.name': 'from-attributes' }))['service.name']).toBe(
      'from-attributes',
    );
  });
});

describe('buildResource: telemetry.sdk.*', () => {
  it('names the OpenTelemetry SDK mltel runs on (target_info carried none of it before)', async () => {
    const attributes = await attributesOf(undefined, {}, []);
    expect(attributes).toMatchObject({
      'telemetry.sdk.name': 'opentelemetry',
      'telemetry.sdk.language': 'nodejs',
      'telemetry.sdk.version': SDK_INFO['telemetry.sdk.version'],
    });
    expect(attributes['telemetry.sdk.version']).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('buildResource: OTEL_NODE_RESOURCE_DETECTORS', () => {
  const BASE = ['service.name', 'telemetry.distro.name', 'telemetry.distro.version'];
  const SDK = ['telemetry.sdk.language', 'telemetry.sdk.name', 'telemetry.sdk.version'];

  it('none: only service.name, telemetry.sdk.* and telemetry.distro.* (and the attributes given)', async () => {
    const attributes = await attributesOf('svc', { team: 'ml' }, []);
    expect(Object.keys(attributes).sort()).toEqual([...BASE, ...SDK, 'team'].sort());
    expect(attributes['service.name']).toBe('svc');
  });

  it('os: os.type and os.version, and no host or process attributes', async () => {
    const attributes = await attributesOf(undefined, {}, ['os']);
    expect(attributes['os.type']).toBe('linux');
    expect(attributes['os.version']).toEqual(expect.any(String));
    expect(Object.keys(attributes).filter((k) => /^(host|process)\.|instance/.test(k))).toEqual([]);
  });

  it('process: the process detector without the command line arguments (they can hold secrets)', async () => {
    const attributes = await attributesOf(undefined, {}, ['process']);
    expect(attributes).toMatchObject({
      'process.pid': process.pid,
      'process.executable.path': process.execPath,
      'process.runtime.name': 'nodejs',
    });
    expect(attributes['process.command_args']).toBeUndefined();
  });

  it('host and serviceinstance, and a detector object of the application', async () => {
    const custom: ResourceDetector = { detect: () => ({ attributes: { 'cloud.region': 'eu-west-1' } }) };
    const attributes = await attributesOf(undefined, {}, ['host', 'serviceinstance', custom]);
    expect(attributes).toMatchObject({ 'host.name': hostname(), 'cloud.region': 'eu-west-1' });
    expect(attributes['service.instance.id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(attributes['process.pid']).toBeUndefined();
  });
});
