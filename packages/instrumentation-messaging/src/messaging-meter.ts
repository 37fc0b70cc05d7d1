import type { Attributes, MeterProvider, ObservableResult } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_SYSTEM,
  ATTR_ML_CONNECTION_STATE,
  ATTR_SERVER_ADDRESS,
  ML_CONNECTION_STATE_VALUES,
} from '@mltel/semconv';
import { BoundedValues, describeValue, isNonNegativeFinite, WarnOnce } from '@mltel/kit';
import type { ProviderBinding } from '@mltel/kit';
import { bindMessagingInstruments } from './instruments.js';
import type { MessagingInstruments } from './instruments.js';
import { QueueJobs } from './queue-jobs.js';

/** Distinct destinations (exchanges, queues) kept per meter; later ones are `_OTHER`. */
export const MAX_DESTINATIONS = 100;
/** Distinct broker servers kept per meter; later ones are `_OTHER`. */
export const MAX_SERVERS = 20;
/** Distinct `error.type` values kept per meter; later ones are `_OTHER`. */
export const MAX_ERROR_TYPES = 50;
/** Longest destination or server name kept; longer ones are truncated. */
export const MAX_NAME_LENGTH = 128;

/** Options of a {@link MessagingMeter}. */
export interface MessagingMeterOptions {
  /** The provider to record into; default the global one, followed. */
  meterProvider?: MeterProvider;
  /** Minimum time between two reads of a queue's job counts (`ml.queue.jobs`), in ms. Default 10,000. */
  queueJobsIntervalMs?: number;
  /** Longest wait for one read of a queue's job counts at collection, in ms. Default 2,000. */
  queueJobsTimeoutMs?: number;
}

/** One messaging operation, for {@link MessagingMeter.operation}. */
export interface MessagingOperation {
  /** `messaging.system`: `rabbitmq`, `bullmq`, ... */
  system: string;
  /** `messaging.operation.name`: `publish`, `ack`, `add`, ... */
  operation: string;
  /** `messaging.destination.name`: exchange or queue. */
  destination?: string | undefined;
  /** `server.address`. */
  server?: string | undefined;
}

interface Link {
  open: number;
  connecting: number;
  // Connections to this server that closed with an error and were not replaced yet: the next
  // successful open is a reconnection.
  lost: number;
}

/**
 * Records the messaging family. The instrumentations feed it; an application records by hand what
 * no instrumentation sees (publish retries of its own retry loop). Never throws.
 */
export class MessagingMeter {
  private readonly warnings = new WarnOnce();
  private readonly destinations = new BoundedValues(
    ATTR_MESSAGING_DESTINATION_NAME,
    MAX_DESTINATIONS,
    MAX_NAME_LENGTH,
    this.warnings,
  );
  private readonly servers = new BoundedValues(ATTR_SERVER_ADDRESS, MAX_SERVERS, MAX_NAME_LENGTH, this.warnings);
  private readonly errorTypes = new BoundedValues(ATTR_ERROR_TYPE, MAX_ERROR_TYPES, MAX_NAME_LENGTH, this.warnings);
  private readonly links = new Map<string, { system: string; server: string; link: Link }>();
  private readonly instruments: ProviderBinding<MessagingInstruments>;
  /** The `ml.queue.jobs` readers (BullMQ queues). */
  readonly queueJobs: QueueJobs;

  constructor(options: MessagingMeterOptions = {}) {
    this.queueJobs = new QueueJobs(
      { intervalMs: options.queueJobsIntervalMs, timeoutMs: options.queueJobsTimeoutMs },
      this.warnings,
    );
    this.instruments = bindMessagingInstruments(
      {
        connections: (result) => this.observeConnections(result),
        queueJobs: (result) => this.queueJobs.observe(result),
      },
      options.meterProvider,
    );
    this.instruments.follow();
  }

  /** Records the duration of one client operation (seconds), failed when `error` is given. */
  operation(op: MessagingOperation, seconds: number, error?: unknown): void {
    if (!isNonNegativeFinite(seconds)) {
      this.warnings.warn(
        'operation:seconds',
        `messaging operation duration must be >= 0 s, got ${describeValue(seconds)}`,
      );
      return;
    }
    this.safely(() => this.instruments.get().operationDuration.record(seconds, this.attributes(op, error)));
  }

  /** Counts `count` messages sent (attempted), failed when `error` is given; records each body size when known. */
  sent(op: MessagingOperation, count = 1, error?: unknown, bodyBytes?: number): void {
    this.safely(() => {
      const instruments = this.instruments.get();
      instruments.sent.add(count, this.attributes(op, error));
      if (bodyBytes !== undefined) instruments.bodySize.record(bodyBytes, this.sizeAttributes(op));
    });
  }

  /** Counts one message delivered to a consumer, with its body size when known. */
  consumed(op: MessagingOperation, bodyBytes?: number): void {
    this.safely(() => {
      const instruments = this.instruments.get();
      instruments.consumed.add(1, this.attributes(op));
      if (bodyBytes !== undefined) instruments.bodySize.record(bodyBytes, this.sizeAttributes(op));
    });
  }

  /** Records how long the consumer took to process one message, failed when `error` is given. */
  processed(op: MessagingOperation, seconds: number, error?: unknown): void {
    if (!isNonNegativeFinite(seconds)) return;
    this.safely(() => this.instruments.get().processDuration.record(seconds, this.attributes(op, error)));
  }

  /** Counts one publish attempted again after a failure (your own retry loop). */
  publishRetry(op: MessagingOperation): void {
    this.safely(() => this.instruments.get().publishRetries.add(1, this.attributes(op)));
  }

  /** A connection attempt to `server` started; returns the function that ends it (`null` error: opened). */
  connecting(system: string, server: string | undefined): (error: unknown) => void {
    const entry = this.link(system, server);
    entry.link.connecting++;
    let ended = false;
    return (error) => {
      if (ended) return;
      ended = true;
      entry.link.connecting--;
      if (error === null || error === undefined) {
        entry.link.open++;
        if (entry.link.lost > 0) {
          entry.link.lost--;
          this.safely(() =>
            this.instruments
              .get()
              .reconnections.add(1, { [ATTR_MESSAGING_SYSTEM]: entry.system, [ATTR_SERVER_ADDRESS]: entry.server }),
          );
        }
      } else {
        this.connectionError(entry.system, entry.server, error);
      }
    };
  }

  /** An open connection to `server` closed; with an error it counts as lost (the next open is a reconnection). */
  closed(system: string, server: string | undefined, error?: unknown): void {
    const entry = this.link(system, server);
    entry.link.open = Math.max(0, entry.link.open - 1);
    if (error !== undefined && error !== null) {
      entry.link.lost++;
      this.connectionError(entry.system, entry.server, error);
    }
  }

  /** A bounded `error.type` for a thrown value. */
  errorType(error: unknown): string {
    return this.errorTypes.admit(errorTypeFor(error)) ?? '_OTHER';
  }

  private connectionError(system: string, server: string, error: unknown): void {
    this.safely(() =>
      this.instruments.get().connectionErrors.add(1, {
        [ATTR_MESSAGING_SYSTEM]: system,
        [ATTR_SERVER_ADDRESS]: server,
        [ATTR_ERROR_TYPE]: this.errorType(error),
      }),
    );
  }

  private link(system: string, server: string | undefined): { system: string; server: string; link: Link } {
    const name = (server === undefined ? undefined : this.servers.admit(server)) ?? '_OTHER';
    const key = `${system}\u0000${name}`;
    let entry = this.links.get(key);
    if (entry === undefined) {
      entry = { system, server: name, link: { open: 0, connecting: 0, lost: 0 } };
      this.links.set(key, entry);
    }
    return entry;
  }

  private observeConnections(result: ObservableResult): void {
    for (const { system, server, link } of this.links.values()) {
      const state = link.open > 0 ? 'connected' : link.connecting > 0 ? 'connecting' : 'disconnected';
      for (const s of ML_CONNECTION_STATE_VALUES) {
        result.observe(s === state ? 1 : 0, {
          [ATTR_MESSAGING_SYSTEM]: system,
          [ATTR_SERVER_ADDRESS]: server,
          [ATTR_ML_CONNECTION_STATE]: s,
        });
      }
    }
  }

  private attributes(op: MessagingOperation, error?: unknown): Attributes {
    const attributes: Attributes = {
      [ATTR_MESSAGING_SYSTEM]: op.system,
      [ATTR_MESSAGING_OPERATION_NAME]: op.operation,
    };
    if (op.destination !== undefined) {
      attributes[ATTR_MESSAGING_DESTINATION_NAME] = this.destination(op.destination);
    }
    if (op.server !== undefined) attributes[ATTR_SERVER_ADDRESS] = this.servers.admit(op.server) ?? '_OTHER';
    if (error !== undefined) attributes[ATTR_ERROR_TYPE] = this.errorType(error);
    return attributes;
  }

  private sizeAttributes(op: MessagingOperation): Attributes {
    const attributes: Attributes = {
      [ATTR_MESSAGING_SYSTEM]: op.system,
      [ATTR_MESSAGING_OPERATION_NAME]: op.operation,
    };
    if (op.destination !== undefined) {
      attributes[ATTR_MESSAGING_DESTINATION_NAME] = this.destination(op.destination);
    }
    return attributes;
  }

  // The default exchange has the empty name; it is a real destination, named as RabbitMQ does.
  private destination(name: string): string {
    return this.destinations.admit(name === '' ? 'amq.default' : name) ?? '_OTHER';
  }

  private safely(record: () => void): void {
    try {
      record();
    } catch {
      // A failing provider loses this record, never the application's message.
    }
  }
}

// AMQP reply codes to their constant names: a numeric code is not a bounded, readable error.type.
const AMQP_CODES: Readonly<Record<number, string>> = {
  311: 'CONTENT_TOO_LARGE',
  312: 'NO_ROUTE',
  313: 'NO_CONSUMERS',
  320: 'CONNECTION_FORCED',
  402: 'INVALID_PATH',
  403: 'ACCESS_REFUSED',
  404: 'NOT_FOUND',
  405: 'RESOURCE_LOCKED',
  406: 'PRECONDITION_FAILED',
  501: 'FRAME_ERROR',
  502: 'SYNTAX_ERROR',
  503: 'COMMAND_INVALID',
  504: 'CHANNEL_ERROR',
  505: 'UNEXPECTED_FRAME',
  506: 'RESOURCE_ERROR',
  530: 'NOT_ALLOWED',
  540: 'NOT_IMPLEMENTED',
  541: 'INTERNAL_ERROR',
};

/** The `error.type` of a thrown value: an AMQP reply code's name, an errno code, or the error's class. */
export function errorTypeFor(error: unknown): string {
  try {
    if (typeof error === 'object' && error !== null) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'number' && AMQP_CODES[code] !== undefined) return AMQP_CODES[code];
      if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(code)) return code;
      const name = (error as { name?: unknown }).name;
      if (typeof name === 'string' && /^[A-Za-z][A-Za-z0-9_.]{0,63}$/.test(name)) return name;
      return 'Error';
    }
    if (typeof error === 'string' && /^[A-Za-z][A-Za-z0-9_.]{0,63}$/.test(error)) return error;
  } catch {
    // A hostile error object (throwing getters).
  }
  return '_OTHER';
}

let shared: MessagingMeter | undefined;

/** The process-wide messaging meter on the global provider (what the instrumentations use by default). */
export function defaultMessagingMeter(): MessagingMeter {
  shared ??= new MessagingMeter();
  return shared;
}

/** Counts one publish retried by your own code, on the shared meter. */
export function recordPublishRetry(op: MessagingOperation): void {
  defaultMessagingMeter().publishRetry(op);
}
