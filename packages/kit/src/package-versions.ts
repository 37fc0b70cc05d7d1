// @opentelemetry/instrumentation (0.300) reads and parses a package's package.json each time the
// require hook hands an instrumentation one of that package's files, matched or not: 503 reads
// for an app that loads express, pg, openai and @anthropic-ai/sdk (5 packages), about 18 ms of
// its start-up under the preload (openai's package.json alone is 20 KB). A package's version does
// not change while the process runs, so mltel's instrumentations keep it per package directory.

type VersionReader = (baseDir: string) => string | undefined;

/** Package directories whose version is kept; past this many, versions are read each time. */
export const MAX_PACKAGE_VERSIONS = 256;

const versions = new Map<string, string | undefined>();

/**
 * Makes `instrumentation` (an OpenTelemetry `InstrumentationBase`) read each package's version
 * once per process. An object without the upstream reader is left as it is; never throws.
 */
export function cachePackageVersions(instrumentation: object): void {
  try {
    const target = instrumentation as { _extractPackageVersion?: unknown };
    const read = target._extractPackageVersion;
    if (typeof read !== 'function') return;
    const cached = function (this: unknown, baseDir: string): string | undefined {
      if (versions.has(baseDir)) return versions.get(baseDir);
      const version = (read as VersionReader).call(this, baseDir);
      if (versions.size < MAX_PACKAGE_VERSIONS) versions.set(baseDir, version);
      return version;
    };
    Object.defineProperty(target, '_extractPackageVersion', { value: cached, configurable: true, writable: true });
  } catch {
    // A frozen or exotic object: it keeps reading, as upstream does.
  }
}
