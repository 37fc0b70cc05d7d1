import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { OTLPMetricExporter as HttpJsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import type { OTLPMetricExporter as HttpProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { readSmallFile } from '../config/file.js';
import type { OtlpProtocol, OtlpTlsFiles } from '../config/types.js';
import { requireEsm } from '../require-esm.js';
import { detachedAgentFactory } from './agent.js';

/** The largest OTLP TLS file (certificate chain or key) read. */
export const MAX_TLS_FILE_BYTES = 1024 * 1024;

/** The exporter cannot be set up as configured; the message names the setting and the fix. */
export class OtlpSetupError extends Error {
  override name = 'OtlpSetupError';
}

/**
 * Reads the TLS files named by the OTLP certificate variables: regular files of at most 1 MiB.
 * Throws {@link OtlpSetupError} for one that is not: the upstream exporter reads these variables
 * itself with a blocking read at construction, so a FIFO there must keep it from being built.
 */
export function readTlsFiles(files: OtlpTlsFiles): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  const out: { ca?: Buffer; cert?: Buffer; key?: Buffer } = {};
  for (const field of ['ca', 'cert', 'key'] as const) {
    const file = files[field];
    if (file === undefined) continue;
    const result = readSmallFile(file.path, MAX_TLS_FILE_BYTES);
    if ('why' in result) {
      throw new OtlpSetupError(
        `${file.setting} names ${JSON.stringify(file.path.slice(0, 200))}, which cannot be read (${result.why}); OTLP export is off. ` +
          `Fix: point ${file.setting} at a regular PEM file of at most 1 MiB, or unset it.`,
      );
    }
    out[field] = result.data;
  }
  return out;
}

interface GrpcMetadata {
  set(key: string, value: string): void;
}

interface GrpcExporterModule {
  OTLPMetricExporter: new (config: {
    url: string;
    timeoutMillis: number;
    metadata: GrpcMetadata;
  }) => PushMetricExporter;
}

// The gRPC exporter takes headers only as grpc-js Metadata, of the grpc-js copy it runs on: made
// through its own otlp-grpc-exporter-base, resolved from where the exporter is installed.
function grpcMetadata(headers: Record<string, string>): GrpcMetadata {
  const exporter = fileURLToPath(import.meta.resolve('@opentelemetry/exporter-metrics-otlp-grpc'));
  const base = createRequire(exporter)('@opentelemetry/otlp-grpc-exporter-base') as {
    createEmptyMetadata(): GrpcMetadata;
  };
  const metadata = base.createEmptyMetadata();
  for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
  return metadata;
}

/**
 * Creates the upstream OTLP metric exporter for a protocol, on an agent whose sockets never hold
 * the process (see ./agent.ts). Each exporter is required only when its protocol is asked for:
 * their OTLP transformer and protobuf code are most of what the preload would load otherwise
 * (docs/benchmarks.md, start-up), and an application that only serves Prometheus needs none of
 * it. A synchronous require keeps start() synchronous. Throws {@link OtlpSetupError} when a TLS
 * file cannot be used.
 */
export function createOtlpExporter(
  protocol: OtlpProtocol,
  url: string,
  headers: Record<string, string>,
  timeoutMillis: number,
  tlsFiles: OtlpTlsFiles = {},
): PushMetricExporter {
  const tls = readTlsFiles(tlsFiles);
  const config = { url, headers, timeoutMillis, httpAgentOptions: detachedAgentFactory(tls) };
  switch (protocol) {
    case 'http/json': {
      const http = requireEsm('@opentelemetry/exporter-metrics-otlp-http') as {
        OTLPMetricExporter: typeof HttpJsonExporter;
      };
      return new http.OTLPMetricExporter(config);
    }
    case 'grpc': {
      // @grpc/grpc-js is large; a synchronous require keeps start() synchronous without paying
      // for it in every application that pushes over HTTP.
      // It is an optional peer dependency: without it, say what to install, not Node's stack.
      let grpc: GrpcExporterModule;
      try {
        grpc = requireEsm('@opentelemetry/exporter-metrics-otlp-grpc') as GrpcExporterModule;
      } catch {
        throw new OtlpSetupError(
          'OTEL_EXPORTER_OTLP_PROTOCOL=grpc needs @opentelemetry/exporter-metrics-otlp-grpc installed beside ' +
            '@mltel/node; OTLP export is off. Fix: npm install @opentelemetry/exporter-metrics-otlp-grpc, or set ' +
            'OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf.',
        );
      }
      return new grpc.OTLPMetricExporter({ url, timeoutMillis, metadata: grpcMetadata(headers) });
    }
    default: {
      const proto = requireEsm('@opentelemetry/exporter-metrics-otlp-proto') as {
        OTLPMetricExporter: typeof HttpProtoExporter;
      };
      return new proto.OTLPMetricExporter(config);
    }
  }
}
