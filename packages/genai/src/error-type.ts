import { OTHER_VALUE } from '@mltel/semconv';
import { errorTypeOf } from '@mltel/kit';

const CODE = /^[A-Z][A-Z0-9_]{1,40}$/;
const MAX_CAUSES = 4;

function codeOf(value: unknown): string | undefined {
  const code = (value as { code?: unknown }).code;
  return typeof code === 'string' && CODE.test(code) ? code : undefined;
}

function statusOf(value: unknown): number | undefined {
  const status = (value as { status?: unknown }).status;
  return typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599 ? status : undefined;
}

/**
 * The `error.type` of a failed provider call, bounded and data-free: the HTTP status code when
 * the provider answered (`429`, `500`), else the first system error code along the `cause` chain
 * (`ECONNRESET`, `UND_ERR_SOCKET`: the SDKs wrap network errors), else the error's class name
 * (`APIConnectionTimeoutError`). A string is taken as the error type itself. Never the message.
 */
export function genAiErrorType(error: unknown): string {
  if (typeof error === 'string') return error;
  if (typeof error !== 'object' || error === null) return errorTypeOf(error);
  try {
    const status = statusOf(error);
    if (status !== undefined) return String(status);
    let cause: unknown = error;
    for (let depth = 0; depth < MAX_CAUSES && typeof cause === 'object' && cause !== null; depth++) {
      const code = codeOf(cause);
      if (code !== undefined) return code;
      cause = (cause as { cause?: unknown }).cause;
    }
    // Read here, not only in errorTypeOf (which forgives it): a hostile name getter is _OTHER.
    void (error as { name?: unknown }).name;
    return errorTypeOf(error);
  } catch {
    // A hostile getter (status, code, cause, name) must not reach the caller.
    return OTHER_VALUE;
  }
}

/**
 * Whether a failure says the provider is unwell (for derived health): no answer at all
 * (network, timeout), 429 or 5xx. Other 4xx are the caller's mistakes and an abort is the
 * caller's choice, not the provider's state.
 */
export function isProviderFailure(errorType: string): boolean {
  if (/^\d{3}$/.test(errorType)) return errorType === '429' || errorType >= '500';
  // The caller's own cancel (an aborted signal; openai's APIUserAbortError) says nothing of the provider.
  return !USER_ABORTS.has(errorType);
}

const USER_ABORTS: ReadonlySet<string> = new Set(['AbortError', 'APIUserAbortError', 'ABORT_ERR']);
