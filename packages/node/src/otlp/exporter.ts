import { createRequire } from 'node:module';
import { OTLPMetricExporter as HttpJsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as HttpProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { OtlpProtocol } from '../config/types.js';

const require = createRequire(import.meta.url);

/** Creates the upstream OTLP metric exporter for a protocol. gRPC is loaded only when asked for. */
export function createOtlpExporter(
  protocol: OtlpProtocol,
  url: string,
  headers: Record<string, string>,
  timeoutMillis: number,
): PushMetricExporter {
  const config = { url, headers, timeoutMillis };
  switch (protocol) {
    case 'http/json':
      return new HttpJsonExporter(config);
    case 'grpc': {
      // @grpc/grpc-js is large; a synchronous require keeps start() synchronous without paying
      // for it in every application that pushes over HTTP.
      const grpc = require('@opentelemetry/exporter-metrics-otlp-grpc') as {
        OTLPMetricExporter: new (config: { url: string; timeoutMillis: number }) => PushMetricExporter;
      };
      return new grpc.OTLPMetricExporter({ url, timeoutMillis });
    }
    default:
      return new HttpProtoExporter(config);
  }
}
