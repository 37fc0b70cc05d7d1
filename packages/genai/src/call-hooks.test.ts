import { diag } from '@opentelemetry/api';
import { WarnOnce } from '@mltel/kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureDiag, DURATION, OPERATION, PROVIDER, REQUEST_MODEL, setup, sleep } from '../test/harness.js';
import type { CallAttributes } from './call-attributes.js';
import { CallHooks } from './call-hooks.js';
import { CallRefusedError } from './call-refusal.js';
import type { ProviderCall, ProviderCallEvent } from './types.js';

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  expect(log.errors).toEqual([]);
  diag.disable();
});

const CALL = { provider: 'openai', operation: 'chat', model: 'gpt-4o' } as const;
const ATTRS = { [PROVIDER]: 'openai', [OPERATION]: 'chat', [REQUEST_MODEL]: 'gpt-4o' };
const ADMITTED: CallAttributes = { provider: 'openai', operation: 'chat', model: 'gpt-4o-given', base: ATTRS };

describe('CallHooks', () => {
  it('add() installs hooks in order and returns the function that removes them', () => {
    const hooks = new CallHooks(new WarnOnce());
    const seen: string[] = [];
    expect(hooks.active).toBe(false);
    const removeA = hooks.add({ beforeCall: (call) => void seen.push(`a:${call.model}`) });
    hooks.add({ beforeCall: (call) => void seen.push(`b:${call.model}`) });
    expect(hooks.active).toBe(true);
    hooks.beforeCall(CALL);
    removeA();
    hooks.beforeCall({ ...CALL, model: 'o3' });
    expect(seen).toEqual(['a:gpt-4o', 'b:gpt-4o', 'b:o3']);
  });

  it('beforeCall: a refusal reaches the caller unchanged; the hooks after it do not run', () => {
    const hooks = new CallHooks(new WarnOnce());
    const refusal = new CallRefusedError('spent');
    let after = 0;
    hooks.add({
      beforeCall: () => {
        throw refusal;
      },
    });
    hooks.add({ beforeCall: () => void after++ });
    let caught: unknown;
    try {
      hooks.beforeCall(CALL);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBe(refusal);
    expect(after).toBe(0);
    // A refusal of another copy of the package: the brand, not the class.
    const foreign = Object.assign(new Error('foreign'), { refusesCall: true });
    const other = new CallHooks(new WarnOnce());
    other.add({
      beforeCall: () => {
        throw foreign;
      },
    });
    expect(() => other.beforeCall(CALL)).toThrow(foreign);
    expect(log.warnings).toEqual([]);
  });

  it('beforeCall: any other error is swallowed with one warning, and the next hooks run', () => {
    const hooks = new CallHooks(new WarnOnce());
    let after = 0;
    hooks.add({
      beforeCall: () => {
        throw new Error('bug');
      },
    });
    hooks.add({ beforeCall: () => void after++ });
    expect(() => hooks.beforeCall(CALL)).not.toThrow();
    expect(() => hooks.beforeCall(CALL)).not.toThrow();
    expect(after).toBe(2);
    expect(log.warnings).toEqual(['mltel: a beforeCall hook threw; the call goes ahead']);
  });

  it('hooks see only string provider, operation and model; a call without them runs no hook', () => {
    const hooks = new CallHooks(new WarnOnce());
    const seen: unknown[] = [];
    hooks.add({ beforeCall: (call) => void seen.push(call) });
    hooks.beforeCall({ ...CALL, model: 42 } as unknown as ProviderCall);
    hooks.beforeCall({ provider: 'openai' } as ProviderCall);
    hooks.beforeCall(null as unknown as ProviderCall);
    const hostile = Object.defineProperty({ operation: 'chat' }, 'provider', {
      get() {
        throw new Error('hostile');
      },
    });
    hooks.beforeCall(hostile as ProviderCall);
    expect(seen).toEqual([{ provider: 'openai', operation: 'chat', model: undefined }]);
  });

  it('prepare: awaited in order before the call goes on; a failure is swallowed with one warning', async () => {
    const hooks = new CallHooks(new WarnOnce());
    const seen: string[] = [];
    hooks.add({
      prepare: async (call) => {
        await sleep(10);
        seen.push(`slow:${call.provider}`);
      },
    });
    hooks.add({
      prepare: () => Promise.reject(new Error('store down')),
    });
    hooks.add({ beforeCall: () => {} });
    await hooks.prepare(CALL);
    seen.push('after');
    await hooks.prepare(CALL);
    expect(seen).toEqual(['slow:openai', 'after', 'slow:openai']);
    expect(log.warnings).toEqual(['mltel: a prepare hook failed; the call goes ahead']);
  });

  it('prepare: nothing to wait for is no promise; a hook after one that waits still runs in order', async () => {
    const hooks = new CallHooks(new WarnOnce());
    const seen: string[] = [];
    expect(hooks.prepare(CALL)).toBeUndefined();
    hooks.add({ prepare: () => void seen.push('sync') as undefined });
    hooks.add({ beforeCall: () => {} });
    expect(hooks.prepare(CALL)).toBeUndefined();
    hooks.add({
      prepare: async () => {
        await sleep(5);
        seen.push('slow');
      },
    });
    hooks.add({ prepare: async () => void seen.push('last') });
    hooks.add({
      prepare: () => {
        throw new Error('sync failure');
      },
    });
    const pending = hooks.prepare(CALL);
    expect(pending).toBeInstanceOf(Promise);
    expect(seen).toEqual(['sync', 'sync']);
    await pending;
    expect(seen).toEqual(['sync', 'sync', 'slow', 'last']);
    expect(log.warnings).toEqual(['mltel: a prepare hook failed; the call goes ahead']);
  });

  it('afterCall: every hook gets the finished call; one that throws is skipped with one warning', () => {
    const hooks = new CallHooks(new WarnOnce());
    const events: ProviderCallEvent[] = [];
    hooks.add({
      afterCall: () => {
        throw new Error('bug');
      },
    });
    hooks.add({ afterCall: (event) => void events.push(event) });
    const error = new Error('x');
    hooks.afterCall(ADMITTED, 1.5, { inputTokens: 3 }, undefined);
    hooks.afterCall(ADMITTED, 0.5, undefined, error);
    expect(events).toEqual([
      {
        provider: 'openai',
        operation: 'chat',
        model: 'gpt-4o-given',
        attributes: ATTRS,
        usage: { inputTokens: 3 },
        error: undefined,
        durationSeconds: 1.5,
      },
      {
        provider: 'openai',
        operation: 'chat',
        model: 'gpt-4o-given',
        attributes: ATTRS,
        usage: undefined,
        error,
        durationSeconds: 0.5,
      },
    ]);
    expect(log.warnings).toEqual(['mltel: an afterCall hook threw; it is skipped for this call']);
  });

  it('through a provider meter: prepare, then beforeCall, then the call, then afterCall; a refusal sends nothing', async () => {
    const { meter, collect } = setup();
    const order: string[] = [];
    const remove = meter.addHooks({
      prepare: async () => void order.push('prepare'),
      beforeCall: (call) => {
        order.push('before');
        if (call.model === 'refused') throw new CallRefusedError('no');
      },
      afterCall: (event) => void order.push(`after:${event.durationSeconds >= 0}`),
    });
    expect(await meter.track(CALL, () => order.push('call'))).toBe(3);
    await expect(meter.track({ ...CALL, model: 'refused' }, () => order.push('never'))).rejects.toBeInstanceOf(
      CallRefusedError,
    );
    remove();
    await meter.track(CALL, () => order.push('unhooked'));
    expect(order).toEqual(['prepare', 'before', 'call', 'after:true', 'prepare', 'before', 'unhooked']);
    expect((await collect()).histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([[ATTRS, 2]]);
  });
});
