// The upstream PrometheusSerializer class (@opentelemetry/exporter-prometheus, pinned: see
// test/unit/package-policy), loaded from its own module rather than the package's entry. The
// entry also loads PrometheusExporter, whose ES `import … from "http"` cost the preload 15-20 ms
// of start-up (the node:http ES facade loads Node's bundled undici: @mltel/kit node-builtins.ts).
// mltel uses the serializer (./serializer.ts) with its own reader (./pull-reader.ts) and server
// (./server.ts), never the exporter. Should a release move the module, the whole package is
// loaded, as before: the same output, a slower start (upstream.test.ts fails first). In the build,
// the module is bundled in dist/vendor/ with the SDK (../require-esm.ts).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { vendoredPath } from '../require-esm.js';

const PACKAGE = '@opentelemetry/exporter-prometheus';
const require = createRequire(import.meta.url);

interface SerializerModule {
  PrometheusSerializer?: typeof PrometheusSerializer;
}

/** The path of the upstream serializer's own ES module: its bundle, or the module beside the package's ES entry. */
export function upstreamSerializerPath(): string {
  return (
    vendoredPath(`${PACKAGE}/serializer`) ??
    fileURLToPath(new URL('PrometheusSerializer.mjs', import.meta.resolve(PACKAGE)))
  );
}

/** The upstream PrometheusSerializer class, in the ES module instance the rest of mltel imports. */
export function loadUpstreamSerializer(): typeof PrometheusSerializer {
  try {
    const serializer = (require(upstreamSerializerPath()) as SerializerModule).PrometheusSerializer;
    if (typeof serializer === 'function') return serializer;
  } catch {
    // Moved or renamed upstream: the package's entry below.
  }
  const entry = require(fileURLToPath(import.meta.resolve(PACKAGE))) as SerializerModule;
  if (typeof entry.PrometheusSerializer !== 'function') throw new Error(`${PACKAGE} exports no PrometheusSerializer`);
  return entry.PrometheusSerializer;
}
