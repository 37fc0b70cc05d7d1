import { describe, expect, it } from 'vitest';
import { cachePackageVersions, MAX_PACKAGE_VERSIONS } from './package-versions.js';

class FakeInstrumentation {
  reads = 0;
  _extractPackageVersion(baseDir: string): string | undefined {
    this.reads++;
    return baseDir.endsWith('none') ? undefined : `1.0.${baseDir.length}`;
  }
}

describe('cachePackageVersions', () => {
  it('reads each package directory once, for every instrumentation, as the reader answered', () => {
    const a = new FakeInstrumentation();
    const b = new FakeInstrumentation();
    cachePackageVersions(a);
    cachePackageVersions(b);
    for (let i = 0; i < 50; i++)
      expect(a._extractPackageVersion('/app/node_modules/openai')).toBe(`1.0.${'/app/node_modules/openai'.length}`);
    expect(b._extractPackageVersion('/app/node_modules/openai')).toBe(`1.0.${'/app/node_modules/openai'.length}`);
    expect(a._extractPackageVersion('/app/node_modules/none')).toBeUndefined();
    expect(b._extractPackageVersion('/app/node_modules/none')).toBeUndefined();
    expect(a.reads + b.reads).toBe(2);
  });

  it('keeps at most MAX_PACKAGE_VERSIONS directories, then reads each time', () => {
    const i = new FakeInstrumentation();
    cachePackageVersions(i);
    for (let n = 0; n < MAX_PACKAGE_VERSIONS + 10; n++) i._extractPackageVersion(`/bound/${n}`);
    const before = i.reads;
    i._extractPackageVersion(`/bound/${MAX_PACKAGE_VERSIONS + 5}`);
    expect(i.reads).toBe(before + 1);
  });

  it('leaves objects without the reader, and frozen ones, as they are', () => {
    const plain = {};
    cachePackageVersions(plain);
    expect(plain).toEqual({});
    const frozen = Object.freeze(new FakeInstrumentation());
    expect(() => cachePackageVersions(frozen)).not.toThrow();
  });
});
