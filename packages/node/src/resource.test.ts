import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { MLTEL_VERSION } from '@mltel/kit';
import { describe, expect, it } from 'vitest';
import { buildResource } from './resource.js';

const PACKAGE_VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

async function attributesOf(serviceName: string | undefined, extra: Record<string, string> = {}) {
  const resource = buildResource(serviceName, extra);
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
