import type { ProviderCall } from '@mltel/genai';
import { describe, expect, it } from 'vitest';
import { withResponseHeaders } from './mistral-rate-limits.js';

type Success = { afterSuccess(context: unknown, response: Response): Response };
type Failure = {
  afterError(
    context: unknown,
    response: Response | null,
    error: unknown,
  ): { response: Response | null; error: unknown };
};

/** A stand-in for a Speakeasy resource: its requests go through the hooks on `_options.hooks`. */
function resource() {
  const success: Success[] = [];
  const failure: Failure[] = [];
  const hooks = {
    registerAfterSuccessHook: (hook: Success) => success.push(hook),
    registerAfterErrorHook: (hook: Failure) => failure.push(hook),
  };
  const respond = async (status: number) => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    const response = new Response('{}', { status, headers: { 'x-ratelimit-remaining-req-10-second': '59' } });
    for (const hook of status < 400 ? success : []) hook.afterSuccess({}, response);
    for (const hook of status < 400 ? [] : failure) hook.afterError({}, response, new Error(String(status)));
    return status;
  };
  return { _options: { hooks }, success, failure, respond };
}

const describeCall = (_self: unknown, args: readonly unknown[]): ProviderCall => ({
  provider: 'mistral_ai',
  operation: 'chat',
  model: (args[0] as { model: string }).model,
});

describe('withResponseHeaders()', () => {
  it("sends each response's headers, success or error, with the call that received it", async () => {
    const seen: [string | undefined, string | null][] = [];
    const observers = {
      headers: (call: ProviderCall, h: unknown) =>
        seen.push([call.model, (h as Headers).get('x-ratelimit-remaining-req-10-second')]),
    };
    const target = resource();
    const method = withResponseHeaders(
      function (this: ReturnType<typeof resource>, _params: unknown, status: unknown = 200) {
        return this.respond(Number(status));
      } as (...args: unknown[]) => unknown,
      describeCall,
      observers,
    );
    expect(await method.call(target, { model: 'mistral-tiny' })).toBe(200);
    expect(await method.call(target, { model: 'mistral-small-latest' }, 429)).toBe(429);
    expect(seen).toEqual([
      ['mistral-tiny', '59'],
      ['mistral-small-latest', '59'],
    ]);
    // Registered once per hooks object; a response outside a wrapped call is not observed.
    expect([target.success.length, target.failure.length]).toEqual([1, 1]);
    await target.respond(200);
    expect(seen).toHaveLength(2);
  });

  it('leaves a method whose resource has no SDK hooks, or whose call cannot be described, as it is', async () => {
    const observers = { headers: () => expect.unreachable() };
    const plain = withResponseHeaders(async () => 'plain', describeCall, observers);
    expect(await plain.call({}, { model: 'm' })).toBe('plain');
    const undescribed = withResponseHeaders(
      async () => 'kept',
      () => undefined,
      observers,
    );
    expect(await undescribed.call(resource(), {})).toBe('kept');
  });
});
