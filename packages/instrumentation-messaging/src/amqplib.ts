import { cachePackageVersions, MLTEL_VERSION, isThenable } from '@mltel/kit';
import {
  InstrumentationBase,
  InstrumentationNodeModuleDefinition,
  InstrumentationNodeModuleFile,
} from '@opentelemetry/instrumentation';
import { defaultMessagingMeter } from './messaging-meter.js';
import type { MessagingMeter, MessagingOperation } from './messaging-meter.js';
import type { MessagingInstrumentationConfig } from './types.js';

/** The `amqplib` versions patched: 0.10 to the current major. */
export const AMQPLIB_SUPPORTED_VERSIONS = ['>=0.10.0 <3'];

const SYSTEM = 'rabbitmq';
type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;
type Prototype = Record<string, unknown>;
interface Message {
  content?: unknown;
}

// The server of each raw connection (set when it opens), read by its channels; the queue each
// delivered message came from (set on delivery), read when it is acked. Weak: nothing is kept alive.
const serverOfConnection = new WeakMap<object, string>();
const queueOfMessage = new WeakMap<object, string>();
// A confirm channel's publish calls the plain publish, then pushConfirmCallback(cb), synchronously:
// the publish leaves its start and attributes here for the confirm callback to pick up.
let pendingConfirm: { start: number; op: MessagingOperation } | undefined;

// amqplib's two confirm failures, by name rather than the class `Error` they share.
function confirmErrorType(error: unknown): unknown {
  const message = (error as { message?: unknown } | null)?.message;
  if (message === 'message nacked') return 'nacked';
  if (message === 'channel closed') return 'channel_closed';
  return error;
}

function hostOf(url: unknown): string {
  try {
    if (typeof url === 'string') return new URL(url).hostname.replace(/^\[|\]$/g, '') || 'localhost';
    if (typeof url === 'object' && url !== null) {
      const hostname = (url as { hostname?: unknown }).hostname;
      return typeof hostname === 'string' && hostname !== '' ? hostname : 'localhost';
    }
  } catch {
    // An unparsable URL: amqplib reports it; the connection is counted under "localhost".
  }
  return 'localhost';
}

function serverOf(channel: unknown): string | undefined {
  const connection = (channel as { connection?: unknown } | undefined)?.connection;
  return typeof connection === 'object' && connection !== null ? serverOfConnection.get(connection) : undefined;
}

function sizeOf(content: unknown): number | undefined {
  return content instanceof Uint8Array ? content.byteLength : undefined;
}

/**
 * Records `amqplib` (RabbitMQ) with the OTel messaging metrics, promise and callback APIs alike:
 * publish and sendToQueue (sent messages, duration, body size, errors by `error.type`), consume
 * (consumed messages, body size, the consumer callback's duration), ack / nack / reject, and each
 * connection's state, reconnections and errors. Reads no message body beyond its size; adds no
 * `error` listener, so an unhandled connection error still surfaces as it would without mltel.
 */
export class AmqplibInstrumentation extends InstrumentationBase<MessagingInstrumentationConfig> {
  constructor(config: MessagingInstrumentationConfig = {}) {
    super('@mltel/instrumentation-messaging/amqplib', MLTEL_VERSION, config);
    cachePackageVersions(this);
  }

  private messagingMeter = (): MessagingMeter => this.getConfig().meter ?? defaultMessagingMeter();
  // amqplib keeps its own reference to `connect` (channel_api.js reads it once), and consumers
  // registered while enabled keep their wrapped callback: both check this after disable().
  private active = true;

  override enable(): void {
    this.active = true;
    super.enable();
  }

  override disable(): void {
    this.active = false;
    super.disable();
  }

  protected init() {
    const channelFile = (path: string) =>
      new InstrumentationNodeModuleFile(
        path,
        AMQPLIB_SUPPORTED_VERSIONS,
        (exports: unknown) => {
          this.patchChannel((exports as { Channel?: { prototype?: Prototype } }).Channel?.prototype);
          return exports;
        },
        (exports: unknown) => {
          this.unpatchChannel((exports as { Channel?: { prototype?: Prototype } }).Channel?.prototype);
        },
      );
    return new InstrumentationNodeModuleDefinition('amqplib', AMQPLIB_SUPPORTED_VERSIONS, undefined, undefined, [
      new InstrumentationNodeModuleFile(
        'amqplib/lib/connect.js',
        AMQPLIB_SUPPORTED_VERSIONS,
        (exports: unknown) => {
          if (typeof (exports as Prototype)['connect'] === 'function') {
            this._wrap(exports as Prototype, 'connect', (original: unknown) =>
              this.wrapConnect(original as AnyFunction),
            );
          }
          return exports;
        },
        (exports: unknown) => {
          if (exports !== undefined) this._unwrap(exports as Prototype, 'connect');
        },
      ),
      new InstrumentationNodeModuleFile(
        'amqplib/lib/channel.js',
        AMQPLIB_SUPPORTED_VERSIONS,
        (exports: unknown) => {
          const prototype = (exports as { Channel?: { prototype?: Prototype } }).Channel?.prototype;
          if (prototype !== undefined && typeof prototype['pushConfirmCallback'] === 'function') {
            this._wrap(prototype, 'pushConfirmCallback', (original: unknown) =>
              this.wrapConfirm(original as AnyFunction),
            );
          }
          return exports;
        },
        (exports: unknown) => {
          const prototype = (exports as { Channel?: { prototype?: Prototype } } | undefined)?.Channel?.prototype;
          if (prototype !== undefined) this._unwrap(prototype, 'pushConfirmCallback');
        },
      ),
      channelFile('amqplib/lib/channel_model.js'),
      channelFile('amqplib/lib/callback_model.js'),
    ]);
  }

  private patchChannel(prototype: Prototype | undefined): void {
    if (prototype === undefined) return;
    const wrap = (method: string, wrapper: (original: AnyFunction) => AnyFunction) => {
      if (typeof prototype[method] === 'function') {
        this._wrap(prototype, method, (original: unknown) => wrapper(original as AnyFunction));
      }
    };
    wrap('publish', (original) => this.wrapPublish(original));
    wrap('consume', (original) => this.wrapConsume(original));
    for (const method of ['ack', 'nack', 'reject']) wrap(method, (original) => this.wrapSettle(original, method));
  }

  private unpatchChannel(prototype: Prototype | undefined): void {
    if (prototype === undefined) return;
    for (const method of ['publish', 'consume', 'ack', 'nack', 'reject']) this._unwrap(prototype, method);
  }

  private wrapConnect(original: AnyFunction): AnyFunction {
    const meter = this.messagingMeter;
    const instrumentation = this;
    return function connect(this: unknown, url: unknown, socketOptions: unknown, openCallback: unknown, ...rest) {
      if (typeof openCallback !== 'function' || !instrumentation.active) {
        return original.call(this, url, socketOptions, openCallback, ...rest);
      }
      let end: (error: unknown) => void = () => {};
      let server = 'localhost';
      try {
        server = hostOf(url ?? 'amqp://localhost');
        end = meter().connecting(SYSTEM, server);
      } catch {
        // Recording never stops a connection.
      }
      const callback = function (this: unknown, error: unknown, connection: unknown) {
        try {
          if (error !== null && error !== undefined) {
            end(error);
          } else if (typeof connection === 'object' && connection !== null) {
            end(null);
            serverOfConnection.set(connection, server);
            // A `close` listener changes nothing for the application (unlike an `error` one); the
            // close of a connection lost to an error carries that error.
            (connection as { once?: (event: string, listener: (error?: unknown) => void) => void }).once?.(
              'close',
              (closeError?: unknown) => meter().closed(SYSTEM, server, closeError),
            );
          }
        } catch {
          // As above.
        }
        return (openCallback as AnyFunction).call(this, error, connection);
      };
      try {
        return original.call(this, url, socketOptions, callback, ...rest);
      } catch (error) {
        end(error);
        throw error;
      }
    };
  }

  private wrapPublish(original: AnyFunction): AnyFunction {
    const meter = this.messagingMeter;
    return function publish(this: unknown, exchange: unknown, routingKey: unknown, content: unknown, ...rest) {
      const start = performance.now();
      let result: unknown;
      pendingConfirm = undefined;
      try {
        result = original.call(this, exchange, routingKey, content, ...rest);
      } catch (error) {
        record(meter(), this, exchange, routingKey, content, start, error);
        throw error;
      }
      pendingConfirm = { start, op: record(meter(), this, exchange, routingKey, content, start, undefined) };
      return result;
    };
  }

  // The broker's confirm of a publish on a confirm channel with a callback: `confirm`, timed from
  // the publish. Without a callback (waitForConfirms) nothing is added: amqplib treats a missing
  // callback differently, and mltel does not change what it is given.
  private wrapConfirm(original: AnyFunction): AnyFunction {
    const meter = this.messagingMeter;
    const instrumentation = this;
    return function pushConfirmCallback(this: unknown, callback: unknown, ...rest: unknown[]) {
      const pending = pendingConfirm;
      pendingConfirm = undefined;
      if (typeof callback !== 'function' || pending === undefined || !instrumentation.active) {
        return original.call(this, callback, ...rest);
      }
      const confirmed = function (this: unknown, error: unknown, ...more: unknown[]) {
        try {
          const failed = error === null || error === undefined ? undefined : confirmErrorType(error);
          meter().operation(
            { ...pending.op, operation: 'confirm' },
            (performance.now() - pending.start) / 1000,
            failed,
          );
        } catch {
          // Recording never stops a confirm.
        }
        return (callback as AnyFunction).call(this, error, ...more);
      };
      return original.call(this, confirmed, ...rest);
    };
  }

  private wrapConsume(original: AnyFunction): AnyFunction {
    const meter = this.messagingMeter;
    return function consume(this: unknown, queue: unknown, callback: unknown, ...rest) {
      if (typeof callback !== 'function') return original.call(this, queue, callback, ...rest);
      const op = (): MessagingOperation => ({
        system: SYSTEM,
        operation: 'process',
        destination: typeof queue === 'string' ? queue : undefined,
        server: serverOf(this),
      });
      const onMessage = function (this: unknown, message: unknown, ...more: unknown[]) {
        // null: the server cancelled the consumer; not a message.
        if (typeof message !== 'object' || message === null)
          return (callback as AnyFunction).call(this, message, ...more);
        let start = 0;
        let operation: MessagingOperation | undefined;
        try {
          operation = op();
          if (typeof queue === 'string') queueOfMessage.set(message, queue);
          meter().consumed({ ...operation, operation: 'receive' }, sizeOf((message as Message).content));
          start = performance.now();
        } catch {
          // Recording never stops a delivery.
        }
        const done = (error?: unknown) => {
          if (operation !== undefined) meter().processed(operation, (performance.now() - start) / 1000, error);
        };
        let returned: unknown;
        try {
          returned = (callback as AnyFunction).call(this, message, ...more);
        } catch (error) {
          done(error);
          throw error;
        }
        if (isThenable(returned)) {
          // The derived promise rethrows, so a rejection nobody handles is still reported as
          // unhandled, as without mltel; amqplib ignores the callback's return value.
          (returned as PromiseLike<unknown>).then(
            () => done(),
            (error: unknown) => {
              done(error);
              throw error;
            },
          );
        } else {
          done();
        }
        return returned;
      };
      return original.call(this, queue, onMessage, ...rest);
    };
  }

  private wrapSettle(original: AnyFunction, operation: string): AnyFunction {
    const meter = this.messagingMeter;
    return function settle(this: unknown, message: unknown, ...rest) {
      const start = performance.now();
      const op = (): MessagingOperation => ({
        system: SYSTEM,
        operation,
        destination: typeof message === 'object' && message !== null ? queueOfMessage.get(message) : undefined,
        server: serverOf(this),
      });
      let result: unknown;
      try {
        result = original.call(this, message, ...rest);
      } catch (error) {
        meter().operation(op(), (performance.now() - start) / 1000, error);
        throw error;
      }
      meter().operation(op(), (performance.now() - start) / 1000);
      return result;
    };
  }
}

function record(
  meter: MessagingMeter,
  channel: unknown,
  exchange: unknown,
  routingKey: unknown,
  content: unknown,
  start: number,
  error: unknown,
): MessagingOperation {
  // The default exchange ('') routes by queue name: the queue is the destination people chart.
  const destination =
    typeof exchange === 'string' && exchange !== ''
      ? exchange
      : typeof routingKey === 'string'
        ? routingKey
        : undefined;
  const op: MessagingOperation = { system: SYSTEM, operation: 'publish', destination, server: serverOf(channel) };
  meter.sent(op, 1, error, sizeOf(content));
  meter.operation(op, (performance.now() - start) / 1000, error);
  return op;
}
