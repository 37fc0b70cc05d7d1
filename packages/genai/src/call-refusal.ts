// How a `beforeCall` hook refuses a call (a hard-stop budget): the one check the hook runner
// makes, and the error class that passes it. The check reads a brand, not the class, so a
// refusal from another copy of this package (two installs side by side) is still let through.

/** What marks a thrown value as a refusal of the call. */
export interface CallRefusal {
  /** Always true: the brand {@link isCallRefusal} checks. */
  readonly refusesCall: true;
}

/**
 * Thrown by a `beforeCall` hook to refuse a call: it reaches the caller unchanged and nothing is
 * sent. Other errors of a hook are swallowed. Extend it for a refusal of your own.
 */
export class CallRefusedError extends Error implements CallRefusal {
  override name = 'CallRefusedError';
  readonly refusesCall = true as const;
}

/** Whether a thrown value refuses the call; never throws (a hostile getter is no refusal). */
export function isCallRefusal(error: unknown): error is CallRefusal {
  if (error === null || (typeof error !== 'object' && typeof error !== 'function')) return false;
  try {
    return (error as { refusesCall?: unknown }).refusesCall === true;
  } catch {
    return false;
  }
}
