// The raw OpenTelemetry set-up of the start-up benchmark: a MeterProvider set as the global one,
// read by the upstream Prometheus exporter on a free port.
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

const exporter = new PrometheusExporter({ host: '127.0.0.1', port: 0 });
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [exporter] }));
