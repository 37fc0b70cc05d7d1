import { diag } from '@opentelemetry/api';
import { WarnOnce } from '@mltel/kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  captureDiag,
  DURATION,
  ERROR_TYPE,
  httpError,
  networkError,
  OPERATION,
  PROVIDER,
  REQUEST_MODEL,
  RESPONSE_MODEL,
  SERVER_ADDRESS,
  SERVER_PORT,
  setup,
} from '../test/harness.js';
import { CallAdmission } from './call-attributes.js';
import type { ProviderCall } from './types.js';

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  expect(log.errors).toEqual([]);
  diag.disable();
});

describe('server attributes', () => {
  it('leaves out server.port without server.address, and an invalid port', async () => {
    const { meter, collect } = setup();
    meter.record({ provider: 'openai', operation: 'chat', serverPort: 443, durationSeconds: 1 });
    meter.record({
      provider: 'anthropic',
      operation: 'chat',
      serverAddress: 'api.anthropic.com',
      serverPort: 70000,
      durationSeconds: 1,
    });
    meter.record({
      provider: 'mistral',
      operation: 'chat',
      serverAddress: 'api.mistral.ai',
      serverPort: 8443,
      durationSeconds: 1,
    });
    expect((await collect()).histograms(DURATION).map((h) => h.attributes)).toEqual([
      { [PROVIDER]: 'anthropic', [OPERATION]: 'chat', [SERVER_ADDRESS]: 'api.anthropic.com' },
      { [PROVIDER]: 'mistral', [OPERATION]: 'chat', [SERVER_ADDRESS]: 'api.mistral.ai', [SERVER_PORT]: 8443 },
      { [PROVIDER]: 'openai', [OPERATION]: 'chat' },
    ]);
  });
});

describe('model allow-list', () => {
  it('keeps exact and prefix* entries; others are _OTHER for request and response model', async () => {
    const { meter, collect } = setup({ models: ['claude-sonnet-4-5', 'gpt-4o*'] });
    const call = (model: string, responseModel: string) =>
      meter.record({ provider: 'p', operation: 'chat', model, durationSeconds: 1, usage: { responseModel } });
    call('claude-sonnet-4-5', 'claude-sonnet-4-5-20250929');
    call('gpt-4o', 'gpt-4o-2024-08-06');
    call('gpt-4o-mini', 'gpt-4o-mini-2024-07-18');
    call('llama-3-70b', 'gpt-4o');
    call('my-fine-tune', 'my-fine-tune');
    const c = await collect();
    expect(
      c.histograms(DURATION).map((h) => [h.attributes[REQUEST_MODEL], h.attributes[RESPONSE_MODEL], h.count]),
    ).toEqual([
      ['_OTHER', '_OTHER', 1],
      ['_OTHER', 'gpt-4o', 1],
      ['claude-sonnet-4-5', '_OTHER', 1],
      ['gpt-4o', 'gpt-4o-2024-08-06', 1],
      ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18', 1],
    ]);
    expect(log.warnings).toEqual(['mltel: gen_ai.request.model value outside the allow-list is recorded as _OTHER']);
  });

  it('maxModels caps the prefix matches of an allow-list', async () => {
    const { meter, collect } = setup({ models: ['gpt-4o', 'gpt-*'], maxModels: 2 });
    for (const model of ['gpt-4o', 'gpt-5', 'gpt-5-mini', 'gpt-5-nano', 'gpt-4o', 'gpt-5']) {
      meter.record({ provider: 'openai', operation: 'chat', model, durationSeconds: 1 });
    }
    expect((await collect()).histograms(DURATION).map((h) => [h.attributes[REQUEST_MODEL], h.count])).toEqual([
      ['_OTHER', 1],
      ['gpt-4o', 2],
      ['gpt-5', 2],
      ['gpt-5-mini', 1],
    ]);
  });

  it('without an allow-list, keeps the first maxModels distinct names (request and response share the cap)', async () => {
    const { meter, collect } = setup({ maxModels: 3 });
    meter.record({ provider: 'p', operation: 'chat', model: 'a', durationSeconds: 1, usage: { responseModel: 'a-1' } });
    meter.record({ provider: 'p', operation: 'chat', model: 'b', durationSeconds: 1 });
    meter.record({ provider: 'p', operation: 'chat', model: 'c', durationSeconds: 1 });
    meter.record({ provider: 'p', operation: 'chat', model: 'a', durationSeconds: 1 });
    const c = await collect();
    expect(
      c.histograms(DURATION).map((h) => [h.attributes[REQUEST_MODEL], h.attributes[RESPONSE_MODEL], h.count]),
    ).toEqual([
      ['_OTHER', undefined, 1],
      ['a', undefined, 1],
      ['a', 'a-1', 1],
      ['b', undefined, 1],
    ]);
    expect(log.warnings).toEqual([
      'mltel: more than 3 distinct gen_ai.request.model values; further values are recorded as _OTHER',
    ]);
  });
});

describe('CallAdmission', () => {
  it('admits provider, operation, bounded model and server; keeps the model as given for prices', () => {
    const admission = new CallAdmission(new WarnOnce(), { models: ['gpt-4o*'] });
    expect(
      admission.admit({
        provider: 'openai',
        operation: 'chat',
        model: 'gpt-4o-mini',
        serverAddress: 'api.openai.com',
        serverPort: 443,
      }),
    ).toEqual({
      provider: 'openai',
      operation: 'chat',
      model: 'gpt-4o-mini',
      base: {
        [PROVIDER]: 'openai',
        [OPERATION]: 'chat',
        [REQUEST_MODEL]: 'gpt-4o-mini',
        [SERVER_ADDRESS]: 'api.openai.com',
        [SERVER_PORT]: 443,
      },
    });
    // Outside the allow-list: _OTHER in the attributes, the name itself for price lookups.
    expect(admission.admit({ provider: 'openai', operation: 'chat', model: 'o3' })).toEqual({
      provider: 'openai',
      operation: 'chat',
      model: 'o3',
      base: { [PROVIDER]: 'openai', [OPERATION]: 'chat', [REQUEST_MODEL]: '_OTHER' },
    });
    expect(log.warnings).toEqual(['mltel: gen_ai.request.model value outside the allow-list is recorded as _OTHER']);
  });

  it('keeps up to 256 characters of the model given, 128 in the attribute', () => {
    const admission = new CallAdmission(new WarnOnce());
    const model = 'm'.repeat(300);
    const admitted = admission.admit({ provider: 'p', operation: 'chat', model });
    expect(admitted?.model).toBe('m'.repeat(256));
    expect(admitted?.base[REQUEST_MODEL]).toBe('m'.repeat(128));
  });

  it('a call without a valid provider or operation is not admitted', () => {
    const admission = new CallAdmission(new WarnOnce());
    expect(admission.admit({ provider: '', operation: 'chat' })).toBeUndefined();
    expect(admission.admit({ provider: 'p' } as ProviderCall)).toBeUndefined();
    expect(admission.admit(null as unknown as ProviderCall)).toBeUndefined();
    expect(log.warnings).toEqual([
      'mltel: gen_ai.provider.name must be a non-empty string, got string; the value is dropped',
      'mltel: gen_ai.operation.name must be a non-empty string, got undefined; the value is dropped',
      'mltel: a provider call needs { provider, operation }, got null',
    ]);
  });

  it('withResponseModel() adds the response model through the same allow-list', () => {
    const admission = new CallAdmission(new WarnOnce(), { models: ['gpt-4o*'] });
    const base = { [PROVIDER]: 'openai', [OPERATION]: 'chat' };
    expect(admission.withResponseModel(base, undefined)).toBe(base);
    expect(admission.withResponseModel(base, { inputTokens: 1 })).toBe(base);
    expect(admission.withResponseModel(base, { responseModel: 'gpt-4o-2024-08-06' })).toEqual({
      ...base,
      [RESPONSE_MODEL]: 'gpt-4o-2024-08-06',
    });
    expect(admission.withResponseModel(base, { responseModel: 'claude' })).toEqual({
      ...base,
      [RESPONSE_MODEL]: '_OTHER',
    });
    expect(admission.withResponseModel(base, { responseModel: 42 as unknown as string })).toBe(base);
  });

  it('errorType() classifies a failure and caps the distinct error types at 50', () => {
    const admission = new CallAdmission(new WarnOnce());
    expect(admission.errorType(httpError(429))).toBe('429');
    expect(admission.errorType(networkError('ECONNRESET'))).toBe('ECONNRESET');
    expect(admission.errorType('x'.repeat(100))).toBe('x'.repeat(64));
    for (let i = 0; i < 60; i++) admission.errorType(`E_${i}`);
    expect(admission.errorType('E_59')).toBe('_OTHER');
    expect(admission.errorType('429')).toBe('429');
    expect(log.warnings).toContain(`mltel: ${ERROR_TYPE} longer than 64 characters is truncated to 64`);
  });

  it('the admitted attributes are what a recorded call carries', async () => {
    const { meter, collect } = setup();
    meter.record({ provider: 'openai', operation: 'chat', model: 'gpt-4o', durationSeconds: 1 });
    expect((await collect()).histograms(DURATION).map((h) => h.attributes)).toEqual([
      { [PROVIDER]: 'openai', [OPERATION]: 'chat', [REQUEST_MODEL]: 'gpt-4o' },
    ]);
  });
});

describe('prepared calls', () => {
  const call = {
    provider: 'openai',
    operation: 'chat',
    model: 'gpt-4o',
    serverAddress: 'api.openai.com',
    serverPort: 443,
  };

  it('the same values give the same frozen attribute sets, response-model sets included', () => {
    const admission = new CallAdmission(new WarnOnce());
    const first = admission.admit({ ...call })!;
    const second = admission.admit({ ...call })!;
    expect(second).toBe(first);
    expect(Object.isFrozen(first.base)).toBe(true);
    const response = admission.withResponseModel(first.base, { responseModel: 'gpt-4o-2024-08-06' });
    expect(admission.withResponseModel(second.base, { responseModel: 'gpt-4o-2024-08-06' })).toBe(response);
    expect(response).toEqual({ ...first.base, [RESPONSE_MODEL]: 'gpt-4o-2024-08-06' });
    expect(admission.admit({ ...call, serverPort: 8443 })).not.toBe(first);
  });

  it('values that hold NUL characters never share a prepared call', () => {
    const admission = new CallAdmission(new WarnOnce());
    const a = admission.admit({ provider: 'p\u0000chat', operation: 'x' })!;
    const b = admission.admit({ provider: 'p', operation: 'chat\u0000x' })!;
    // Both make the same key: the second replaces the first, each is admitted as itself.
    for (let i = 0; i < 2; i++) {
      expect(admission.admit({ provider: 'p\u0000chat', operation: 'x' })).toEqual(a);
      expect(admission.admit({ provider: 'p', operation: 'chat\u0000x' })).toEqual(b);
    }
    expect([a.provider, a.operation, b.provider, b.operation]).toEqual(['p\u0000chat', 'x', 'p', 'chat\u0000x']);
  });

  it('values past a cap are admitted afresh each time: _OTHER and its warning count stay', () => {
    const admission = new CallAdmission(new WarnOnce(), { models: ['gpt-4o'] });
    const other = admission.admit({ ...call, model: 'secret-model' })!;
    expect(other.base[REQUEST_MODEL]).toBe('_OTHER');
    expect(Object.isFrozen(other.base)).toBe(false);
    expect(admission.admit({ ...call, model: 'secret-model' })).not.toBe(other);
    expect(log.warnings.filter((w) => w.includes('allow-list'))).toHaveLength(1);
  });

  it('a getter that answers differently on each read is read once per call', () => {
    const admission = new CallAdmission(new WarnOnce());
    let reads = 0;
    const shifty = {
      provider: 'openai',
      operation: 'chat',
      get model(): string {
        reads++;
        return reads % 2 === 1 ? 'gpt-4o' : 'gpt-4o-mini';
      },
    };
    const first = admission.admit(shifty as ProviderCall)!;
    expect([first.model, first.base[REQUEST_MODEL]]).toEqual(['gpt-4o', 'gpt-4o']);
    const second = admission.admit(shifty as ProviderCall)!;
    expect([second.model, second.base[REQUEST_MODEL]]).toEqual(['gpt-4o-mini', 'gpt-4o-mini']);
  });
});
