import type { Counter, Histogram, MeterProvider, ObservableGauge, ObservableResult } from '@opentelemetry/api';
import {
  MESSAGING_CLIENT_CONSUMED_MESSAGES,
  MESSAGING_CLIENT_OPERATION_DURATION,
  MESSAGING_CLIENT_SENT_MESSAGES,
  MESSAGING_PROCESS_DURATION,
  ML_MESSAGING_CONNECTION_ERRORS,
  ML_MESSAGING_CONNECTION_RECONNECTIONS,
  ML_MESSAGING_CONNECTION_STATE,
  ML_MESSAGING_MESSAGE_BODY_SIZE,
  ML_MESSAGING_PUBLISH_RETRIES,
  ML_QUEUE_JOBS,
} from '@mltel/semconv';
import { instrumentOptions, ProviderBinding } from '@mltel/kit';

/** Instrumentation scope of the messaging meter. */
export const SCOPE_NAME = '@mltel/instrumentation-messaging';

/** The messaging family's instruments on one meter provider. */
export interface MessagingInstruments {
  readonly operationDuration: Histogram;
  readonly sent: Counter;
  readonly consumed: Counter;
  readonly processDuration: Histogram;
  readonly bodySize: Histogram;
  readonly connectionState: ObservableGauge;
  readonly reconnections: Counter;
  readonly connectionErrors: Counter;
  readonly publishRetries: Counter;
  readonly queueJobs: ObservableGauge;
}

/** What the collection-time gauges read. */
export interface MessagingObservers {
  /** Reports `ml.messaging.connection.state`. */
  connections(result: ObservableResult): void;
  /** Reports `ml.queue.jobs` (may wait for a bounded refresh). */
  queueJobs(result: ObservableResult): Promise<void> | void;
}

/** The messaging instruments bound to `meterProvider`, or to the global provider (followed) when unset. */
export function bindMessagingInstruments(
  observers: MessagingObservers,
  meterProvider?: MeterProvider,
): ProviderBinding<MessagingInstruments> {
  return new ProviderBinding(
    SCOPE_NAME,
    (meter, callbacks) => {
      const instruments: MessagingInstruments = {
        operationDuration: meter.createHistogram(
          MESSAGING_CLIENT_OPERATION_DURATION.name,
          instrumentOptions(MESSAGING_CLIENT_OPERATION_DURATION),
        ),
        sent: meter.createCounter(
          MESSAGING_CLIENT_SENT_MESSAGES.name,
          instrumentOptions(MESSAGING_CLIENT_SENT_MESSAGES),
        ),
        consumed: meter.createCounter(
          MESSAGING_CLIENT_CONSUMED_MESSAGES.name,
          instrumentOptions(MESSAGING_CLIENT_CONSUMED_MESSAGES),
        ),
        processDuration: meter.createHistogram(
          MESSAGING_PROCESS_DURATION.name,
          instrumentOptions(MESSAGING_PROCESS_DURATION),
        ),
        bodySize: meter.createHistogram(
          ML_MESSAGING_MESSAGE_BODY_SIZE.name,
          instrumentOptions(ML_MESSAGING_MESSAGE_BODY_SIZE),
        ),
        connectionState: meter.createObservableGauge(
          ML_MESSAGING_CONNECTION_STATE.name,
          instrumentOptions(ML_MESSAGING_CONNECTION_STATE),
        ),
        reconnections: meter.createCounter(
          ML_MESSAGING_CONNECTION_RECONNECTIONS.name,
          instrumentOptions(ML_MESSAGING_CONNECTION_RECONNECTIONS),
        ),
        connectionErrors: meter.createCounter(
          ML_MESSAGING_CONNECTION_ERRORS.name,
          instrumentOptions(ML_MESSAGING_CONNECTION_ERRORS),
        ),
        publishRetries: meter.createCounter(
          ML_MESSAGING_PUBLISH_RETRIES.name,
          instrumentOptions(ML_MESSAGING_PUBLISH_RETRIES),
        ),
        queueJobs: meter.createObservableGauge(ML_QUEUE_JOBS.name, instrumentOptions(ML_QUEUE_JOBS)),
      };
      callbacks.observe(instruments.connectionState, (result) => observers.connections(result));
      callbacks.observe(instruments.queueJobs, (result) => observers.queueJobs(result));
      return instruments;
    },
    { meterProvider },
  );
}
