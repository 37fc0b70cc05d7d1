import { diag } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { metrics } from '@opentelemetry/api';
import { task } from './decorator.js';
import { defaultTaskMeter } from './default-meter.js';
import { TaskTimeoutError } from './errors.js';
import { TestReader, collect, setup, captureDiag, BUCKETS, NAME, STATUS, WORKER, ERROR_TYPE } from '../test/harness.js';

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  diag.disable();
  metrics.disable();
});

/**
 * The context a TC39 (standard) decorator receives for a method. The repository's transform
 * (oxc, via vite) leaves `@decorator` syntax untransformed and Node cannot parse it, so the
 * decorator is applied by hand exactly as the runtime would: `decorate(method, context)`.
 */
function methodContext(name: string | symbol): ClassMethodDecoratorContext {
  return {
    kind: 'method',
    name,
    static: false,
    private: false,
    access: { has: () => true, get: (obj: object) => (obj as Record<string | symbol, unknown>)[name] },
    addInitializer: () => {},
    metadata: {},
  } as unknown as ClassMethodDecoratorContext;
}

/** Applies a standard decorator to a prototype method, as `@decorator` would. */
function applyStandard(
  proto: object,
  key: string | symbol,
  decorator: (value: never, context: ClassMethodDecoratorContext) => unknown,
): void {
  const original = (proto as Record<string | symbol, unknown>)[key];
  const replaced = decorator(original as never, methodContext(key));
  Object.defineProperty(proto, key, { value: replaced, writable: true, configurable: true, enumerable: false });
}

class ModelError extends Error {}

describe('task() as a standard (TC39) method decorator', () => {
  it('records each call under the method name and keeps `this` and arguments', async () => {
    const { meter, collect } = setup();
    class Model {
      calls = 0;
      constructor(readonly scale: number) {}
      predict(x: number, y: number): number {
        this.calls++;
        return this.scale * (x + y);
      }
    }
    applyStandard(Model.prototype, 'predict', task(undefined, { meter }));

    const model = new Model(2);
    expect(model.predict(1, 2)).toBe(6);
    expect(model.predict(3, 4)).toBe(14);
    expect(model.calls).toBe(2);
    expect(Model.prototype.predict.name).toBe('predict');

    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'predict', [STATUS]: 'success' }, value: 2 }]);
    const [duration] = c.histograms('ml.task.duration');
    expect([duration!.attributes, duration!.count, duration!.boundaries]).toEqual([
      { [NAME]: 'predict', [STATUS]: 'success' },
      2,
      BUCKETS,
    ]);
    expect(duration!.sum).toBeGreaterThanOrEqual(0);
    expect(log.warnings).toEqual([]);
  });

  it('returns the wrapped function (not the original) and uses an explicit name and options', async () => {
    const { meter, collect } = setup({ workerType: 'cpu' });
    const decorate = task('model.generate', { meter, workerType: 'gpu' });
    async function generate(this: unknown, prompt: string): Promise<string> {
      return `echo ${prompt}`;
    }
    const wrapped = decorate(generate, methodContext('generate'));
    expect(wrapped).not.toBe(generate);
    expect(typeof wrapped).toBe('function');
    await expect(wrapped.call(undefined, 'hi')).resolves.toBe('echo hi');

    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([
      { attributes: { [NAME]: 'model.generate', [STATUS]: 'success', [WORKER]: 'gpu' }, value: 1 },
    ]);
  });

  it('records rejected async methods as errors and honours timeoutMs and classify', async () => {
    const { meter, collect } = setup();
    class Client {
      async fail(): Promise<never> {
        throw new ModelError('bad weights');
      }
      hang(): Promise<never> {
        return new Promise(() => {});
      }
      async flaky(): Promise<never> {
        throw new TypeError('429');
      }
    }
    applyStandard(Client.prototype, 'fail', task(undefined, { meter }));
    applyStandard(Client.prototype, 'hang', task(undefined, { meter, timeoutMs: 5 }));
    applyStandard(Client.prototype, 'flaky', task(undefined, { meter, classify: () => 'retry' }));

    const client = new Client();
    await expect(client.fail()).rejects.toBeInstanceOf(ModelError);
    await expect(client.hang()).rejects.toBeInstanceOf(TaskTimeoutError);
    await expect(client.flaky()).rejects.toBeInstanceOf(TypeError);

    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([
      { attributes: { [NAME]: 'fail', [STATUS]: 'error' }, value: 1 },
      { attributes: { [NAME]: 'flaky', [STATUS]: 'retry' }, value: 1 },
      { attributes: { [NAME]: 'hang', [STATUS]: 'timeout' }, value: 1 },
    ]);
    expect(c.points('ml.task.errors')).toEqual([
      { attributes: { [NAME]: 'fail', [ERROR_TYPE]: 'ModelError' }, value: 1 },
      { attributes: { [NAME]: 'flaky', [ERROR_TYPE]: 'TypeError' }, value: 1 },
      { attributes: { [NAME]: 'hang', [ERROR_TYPE]: 'TimeoutError' }, value: 1 },
    ]);
  });

  it('decorates generator methods (task per iteration, break = cancelled)', async () => {
    const { meter, collect } = setup();
    class Tokenizer {
      *tokens(text: string) {
        for (const token of text.split(' ')) yield token;
      }
    }
    applyStandard(Tokenizer.prototype, 'tokens', task(undefined, { meter }));
    const tokenizer = new Tokenizer();
    expect([...tokenizer.tokens('a b c')]).toEqual(['a', 'b', 'c']);
    for (const _ of tokenizer.tokens('x y')) break;

    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([
      { attributes: { [NAME]: 'tokens', [STATUS]: 'cancelled' }, value: 1 },
      { attributes: { [NAME]: 'tokens', [STATUS]: 'success' }, value: 1 },
    ]);
  });

  it('names a symbol-keyed method after String(symbol)', async () => {
    const { meter, collect } = setup();
    const key = Symbol('infer');
    const wrapped = task(undefined, { meter })(() => 'ok', methodContext(key));
    expect(wrapped()).toBe('ok');
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'Symbol(infer)', [STATUS]: 'success' }, value: 1 }]);
  });
});

describe('task() as a legacy (experimentalDecorators) method decorator', () => {
  it('replaces descriptor.value and returns the same descriptor', async () => {
    const { meter, collect } = setup();
    class Model {
      constructor(readonly bias: number) {}
      score(x: number): number {
        return x + this.bias;
      }
    }
    const descriptor = Object.getOwnPropertyDescriptor(Model.prototype, 'score')!;
    const original = descriptor.value as unknown;
    const result = task(undefined, { meter })(Model.prototype, 'score', descriptor);
    expect(result).toBe(descriptor);
    expect(result.value).not.toBe(original);
    expect((result.value as { name: string }).name).toBe('score');
    Object.defineProperty(Model.prototype, 'score', result);

    expect(new Model(1).score(41)).toBe(42);
    expect(() => new Model(Number.NaN).score.call(null as never, 1)).toThrow(TypeError);

    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([
      { attributes: { [NAME]: 'score', [STATUS]: 'error' }, value: 1 },
      { attributes: { [NAME]: 'score', [STATUS]: 'success' }, value: 1 },
    ]);
    expect(c.points('ml.task.errors')).toEqual([
      { attributes: { [NAME]: 'score', [ERROR_TYPE]: 'TypeError' }, value: 1 },
    ]);
  });

  it('uses an explicit name and a symbol key', async () => {
    const { meter, collect } = setup();
    const key = Symbol('run');
    const named = task('pipeline.run', { meter })({}, 'run', { value: () => 1, writable: true });
    const bySymbol = task(undefined, { meter })({}, key, { value: () => 2, writable: true });
    expect((named.value as () => number)()).toBe(1);
    expect((bySymbol.value as () => number)()).toBe(2);
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([
      { attributes: { [NAME]: 'Symbol(run)', [STATUS]: 'success' }, value: 1 },
      { attributes: { [NAME]: 'pipeline.run', [STATUS]: 'success' }, value: 1 },
    ]);
  });

  it('leaves a descriptor without a function value (an accessor) unchanged', async () => {
    const { meter, collect } = setup();
    const get = () => 5;
    const descriptor: PropertyDescriptor = { get, configurable: true };
    const result = task(undefined, { meter })({}, 'size', descriptor);
    expect(result).toBe(descriptor);
    expect(result).toEqual({ get, configurable: true });
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([]);
    expect(log.warnings).toEqual([]);
  });
});

describe('task() without a meter option', () => {
  it('records on the shared default meter, which follows the global provider', async () => {
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    const wrapped = task('default.task')(
      function work(n: number) {
        return n * 2;
      } as (this: unknown, n: number) => number,
      methodContext('work'),
    );
    expect(wrapped(1)).toBe(2); // before the global provider: recorded nowhere (no-op provider)

    metrics.setGlobalMeterProvider(provider);
    expect(wrapped(2)).toBe(4);
    expect(wrapped(3)).toBe(6);

    const descriptor = task()({}, 'legacyWork', { value: () => 'legacy' });
    expect((descriptor.value as () => string)()).toBe('legacy');

    const c = await collect(reader);
    expect(c.points('ml.tasks')).toEqual([
      { attributes: { [NAME]: 'default.task', [STATUS]: 'success' }, value: 2 },
      { attributes: { [NAME]: 'legacyWork', [STATUS]: 'success' }, value: 1 },
    ]);
    expect(defaultTaskMeter()).toBe(defaultTaskMeter());
  });
});
