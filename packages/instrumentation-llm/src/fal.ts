import type { ProviderCall, ProviderMeter } from '@mltel/genai';
import { isThenable, MLTEL_VERSION } from '@mltel/kit';
import { InstrumentationNodeModuleDefinition, InstrumentationNodeModuleFile } from '@opentelemetry/instrumentation';
import { FAL_DEFAULT_OPERATION, falFailure, falOutcome } from './fal-result.js';
import { recordingFramework } from './framework-scope.js';
import { LlmInstrumentation } from './llm-instrumentation.js';
import { serverOf } from './server.js';
import type { Server } from './server.js';
import type { LlmInstrumentationConfig } from './types.js';

/** The `@fal-ai/client` versions patched. */
export const FAL_SUPPORTED_VERSIONS = ['>=1.0.0 <2'];

type Fn = (...args: unknown[]) => unknown;
type Client = Record<string, unknown> & { queue?: Record<string, unknown> };

// Where the client sends its calls unless a proxy is forced: `run` to fal.run, the queue
// (`subscribe`, `queue.*`) to queue.fal.run.
const RUN_HOST = serverOf('https://fal.run');
const QUEUE_HOST = serverOf('https://queue.fal.run');
// Submitted requests waiting for their `queue.result`, by request id: bounded, oldest dropped.
const MAX_PENDING = 1000;

/** The proxy the client sends every request to: only `proxyUrl: { url, when: 'always' }` in Node. */
function proxyOf(config: unknown): Server | undefined {
  const proxy = (config as { proxyUrl?: unknown } | undefined)?.proxyUrl as
    | { url?: unknown; when?: unknown }
    | undefined;
  return typeof proxy === 'object' && proxy !== null && proxy.when === 'always' ? serverOf(proxy.url) : undefined;
}

interface Pending {
  readonly call: Omit<ProviderCall, 'operation'>;
  readonly started: number;
}

/**
 * Records the model calls of `@fal-ai/client` (the `fal` singleton and `createFalClient()`
 * clients), CommonJS and ESM: `subscribe` and `run` as one call each, from the call to its
 * result (queue wait and polling included), and `queue.submit` with its `queue.result` as one
 * call from submit to result. Status polls are not calls. The model is the endpoint id; the
 * operation comes from the result's shape ({@link falOutcome}). Never records input or output.
 */
export class FalInstrumentation extends LlmInstrumentation {
  private patched = false;
  private readonly pending = new Map<string, Pending>();

  constructor(config: LlmInstrumentationConfig = {}) {
    super('@mltel/instrumentation-llm/fal', MLTEL_VERSION, config);
  }

  protected init() {
    // The package is CommonJS; its index builds the `fal` singleton with client.js's
    // createFalClient, looked up at each call: wrapping that export covers both.
    const file = new InstrumentationNodeModuleFile(
      '@fal-ai/client/src/client.js',
      FAL_SUPPORTED_VERSIONS,
      (exports: unknown) => this.patchClientModule(exports),
      (exports: unknown) => this.unpatchClientModule(exports),
    );
    return new InstrumentationNodeModuleDefinition('@fal-ai/client', FAL_SUPPORTED_VERSIONS, undefined, undefined, [
      file,
    ]);
  }

  /** Wraps `createFalClient` of the client module's exports. */
  patchClientModule(exports: unknown): unknown {
    const holder = exports as Record<string, unknown> | undefined;
    if (holder !== undefined && typeof holder.createFalClient === 'function') {
      this._wrap(holder, 'createFalClient', (original: unknown) => this.wrapFactory(original as Fn));
    }
    this.patched = true;
    return exports;
  }

  /** Restores `createFalClient`; clients made while patched stop recording. */
  unpatchClientModule(exports: unknown): void {
    const holder = exports as Record<string, unknown> | undefined;
    if (holder !== undefined && typeof holder.createFalClient === 'function') this._unwrap(holder, 'createFalClient');
    this.patched = false;
    this.pending.clear();
  }

  private wrapFactory(original: Fn): Fn {
    const instrumentation = this;
    return function createFalClient(this: unknown, ...args: unknown[]): unknown {
      const client = original.apply(this, args);
      try {
        return instrumentation.view(client as Client, proxyOf(args[0]));
      } catch {
        return client;
      }
    };
  }

  /**
   * A copy of the client with its call methods recorded. `subscribe` inside the client still
   * calls the original queue, so its submit and result are not counted again.
   */
  private view(client: Client, proxy: Server | undefined): Client {
    if (typeof client !== 'object' || client === null) return client;
    const queueServer = proxy ?? QUEUE_HOST;
    const wrapped: Client = { ...client };
    for (const [method, server] of [
      ['run', proxy ?? RUN_HOST],
      ['subscribe', queueServer],
    ] as const) {
      if (typeof client[method] === 'function') wrapped[method] = this.recorded(client[method] as Fn, server);
    }
    const queue = client.queue;
    if (typeof queue === 'object' && queue !== null) {
      wrapped.queue = {
        ...queue,
        ...(typeof queue.submit === 'function' ? { submit: this.submitted(queue.submit as Fn, queueServer) } : {}),
        ...(typeof queue.result === 'function' ? { result: this.resulted(queue.result as Fn, queueServer) } : {}),
      };
    }
    return wrapped;
  }

  private describe(args: readonly unknown[], server: Server): Omit<ProviderCall, 'operation'> {
    const endpoint = args[0];
    return {
      provider: 'fal_ai',
      model: typeof endpoint === 'string' && endpoint !== '' ? endpoint : undefined,
      serverAddress: server.serverAddress,
      serverPort: server.serverPort,
    };
  }

  private active(): boolean {
    return this.patched && recordingFramework() === undefined;
  }

  /** Records one call of `meter` that started at `started`, from its result or failure. */
  private finish(
    call: Omit<ProviderCall, 'operation'>,
    started: number,
    outcome: { result?: unknown; error?: unknown },
  ) {
    try {
      const durationSeconds = (performance.now() - started) / 1000;
      if ('error' in outcome) {
        this.callMeter().record({
          ...call,
          operation: FAL_DEFAULT_OPERATION,
          durationSeconds,
          error: falFailure(outcome.error),
        });
        return;
      }
      const { operation, usage } = falOutcome(outcome.result);
      this.callMeter().record({ ...call, operation, durationSeconds, usage });
    } catch {
      // Recording never fails the caller.
    }
  }

  private callMeter(): ProviderMeter {
    return this.providerMeter();
  }

  /** Runs `original`, then `done` with its result or failure; the caller gets the same value or error. */
  private observe(
    original: Fn,
    self: unknown,
    args: unknown[],
    done: (outcome: { result?: unknown; error?: unknown }) => void,
  ) {
    let result: unknown;
    try {
      result = original.apply(self, args);
    } catch (error) {
      done({ error });
      throw error;
    }
    if (!isThenable(result)) {
      done({ result });
      return result;
    }
    return Promise.resolve(result).then(
      (value: unknown) => {
        done({ result: value });
        return value;
      },
      (error: unknown) => {
        done({ error });
        throw error;
      },
    );
  }

  /** A budget refusal (`beforeCall`) rejects before anything is sent. */
  private refusal(call: Omit<ProviderCall, 'operation'>): Promise<never> | undefined {
    try {
      this.callMeter().beforeCall({ ...call, operation: FAL_DEFAULT_OPERATION });
      return undefined;
    } catch (refusal) {
      return Promise.reject(refusal);
    }
  }

  /** `run` and `subscribe`: one call from the call to its result. */
  private recorded(original: Fn, server: Server): Fn {
    const instrumentation = this;
    return function recordedCall(this: unknown, ...args: unknown[]): unknown {
      if (!instrumentation.active()) return original.apply(this, args);
      const call = instrumentation.describe(args, server);
      const refused = instrumentation.refusal(call);
      if (refused !== undefined) return refused;
      const started = performance.now();
      return instrumentation.observe(original, this, args, (outcome) => instrumentation.finish(call, started, outcome));
    };
  }

  /** `queue.submit`: a failure is a failed call; a success waits for its `queue.result`. */
  private submitted(original: Fn, server: Server): Fn {
    const instrumentation = this;
    return function submit(this: unknown, ...args: unknown[]): unknown {
      if (!instrumentation.active()) return original.apply(this, args);
      const call = instrumentation.describe(args, server);
      const refused = instrumentation.refusal(call);
      if (refused !== undefined) return refused;
      const started = performance.now();
      return instrumentation.observe(original, this, args, (outcome) => {
        if ('error' in outcome) return instrumentation.finish(call, started, outcome);
        const id = (outcome.result as { request_id?: unknown } | undefined)?.request_id;
        if (typeof id !== 'string') return;
        const { pending } = instrumentation;
        if (pending.size >= MAX_PENDING) pending.delete(pending.keys().next().value as string);
        pending.set(id, { call, started });
      });
    };
  }

  /**
   * `queue.result`: ends the call its submit began (timed from the submit). A result of a request
   * submitted elsewhere (another process, a webhook flow) is timed from the result request.
   */
  private resulted(original: Fn, server: Server): Fn {
    const instrumentation = this;
    return function result(this: unknown, ...args: unknown[]): unknown {
      if (!instrumentation.active()) return original.apply(this, args);
      const id = (args[1] as { requestId?: unknown } | undefined)?.requestId;
      const known = typeof id === 'string' ? instrumentation.pending.get(id) : undefined;
      if (known !== undefined) instrumentation.pending.delete(id as string);
      const call = known?.call ?? instrumentation.describe(args, server);
      const started = known?.started ?? performance.now();
      return instrumentation.observe(original, this, args, (outcome) => instrumentation.finish(call, started, outcome));
    };
  }
}
