import { diag } from '@opentelemetry/api';
import { OTHER_VALUE } from '@mltel/semconv';

/** How often one kind of problem is logged again, with the count since its last message. */
export const WARN_INTERVAL_MS = 60_000;
/** Distinct kinds of problems one {@link WarnOnce} tracks; further ones share one "other" kind. */
export const MAX_WARN_KINDS = 100;
/** Distinct keys remembered per {@link WarnOnce}; past it, keys are matched by their message. */
const MAX_KEYS = 1000;
/** Longest message kept (and used to recognise a kind): messages are built from caller data. */
const MAX_MESSAGE_CHARS = 500;

interface Kind {
  readonly message: string;
  /** Occurrences since the last line logged for this kind. */
  pending: number;
  /** When the last line was logged (ms, the instance's clock). */
  loggedAt: number;
}

/** Instances with counted, unlogged occurrences: {@link reportSuppressedWarnings} logs them. */
const withPending = new Set<WarnOnce>();
let dueTimer: ReturnType<typeof setTimeout> | undefined;

// A count must not wait for the next occurrence (which may never come) to be logged: one shared
// timer logs the kinds whose interval has passed. Unref'd: it never keeps a process alive.
function scheduleDueReports(): void {
  if (dueTimer !== undefined) return;
  dueTimer = setTimeout(() => {
    dueTimer = undefined;
    for (const warnings of [...withPending]) warnings.reportDue();
    if (withPending.size > 0) scheduleDueReports();
  }, WARN_INTERVAL_MS);
  dueTimer.unref?.();
}

/** Options of {@link WarnOnce} (tests use them to drive the clock). */
export interface WarnOnceOptions {
  /** Minimum time between two lines about the same kind of problem; default 60 s. */
  intervalMs?: number;
  /** The clock, in ms; default `performance.now`. */
  now?: () => number;
}

function clip(message: string): string {
  return message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}…` : message;
}

/**
 * Logs each kind of problem once through `diag.warn`, then counts it: a hot loop of bad values
 * costs one line, then at most one line per kind per minute saying how many more occurred
 * (`… (12,345 more since the last message)`), and {@link reportSuppressedWarnings} logs what is
 * still counted at shutdown. A kind is a key; distinct keys with the same message are one kind
 * (callers often put the bad value in the key, not in the message). Memory is bounded: past 100
 * kinds, new ones are counted together as "other problems".
 */
export class WarnOnce {
  private readonly byKey = new Map<string, Kind>();
  private readonly byMessage = new Map<string, Kind>();
  private other: Kind | undefined;
  private readonly intervalMs: number;
  private readonly now: () => number;

  constructor(options: WarnOnceOptions = {}) {
    this.intervalMs = options.intervalMs ?? WARN_INTERVAL_MS;
    this.now = options.now ?? (() => performance.now());
  }

  /** Logs the message the first time its kind occurs, then counts; re-logs at most once a minute. */
  warn(key: string, message: string): void {
    let kind = this.byKey.get(key);
    if (kind === undefined) {
      const text = clip(message);
      kind = this.byMessage.get(text);
      if (kind === undefined) {
        if (this.byMessage.size >= MAX_WARN_KINDS) {
          this.countOther(text);
          return;
        }
        kind = { message: text, pending: 0, loggedAt: this.now() };
        this.byMessage.set(text, kind);
        if (this.byKey.size < MAX_KEYS) this.byKey.set(key, kind);
        diag.warn(`mltel: ${text}`);
        return;
      }
      if (this.byKey.size < MAX_KEYS) this.byKey.set(key, kind);
    }
    this.count(kind);
  }

  /** Logs the counted kinds whose interval has passed since their last line. */
  reportDue(): void {
    let waiting = false;
    for (const kind of this.kinds()) {
      if (kind.pending === 0) continue;
      if (this.now() - kind.loggedAt >= this.intervalMs) this.logAgain(kind);
      else waiting = true;
    }
    if (!waiting) withPending.delete(this);
  }

  /** Logs, once each, the kinds counted since their last line; true when something was logged. */
  report(): boolean {
    withPending.delete(this);
    let logged = false;
    for (const kind of this.kinds()) {
      if (kind.pending === 0) continue;
      this.logAgain(kind);
      logged = true;
    }
    return logged;
  }

  private kinds(): Kind[] {
    return [...this.byMessage.values(), ...(this.other ? [this.other] : [])];
  }

  private countOther(message: string): void {
    if (this.other === undefined) {
      this.other = {
        message: `more than ${MAX_WARN_KINDS} kinds of problems; further ones are counted together`,
        pending: 0,
        loggedAt: this.now(),
      };
      diag.warn(`mltel: ${this.other.message} (latest: ${message})`);
      return;
    }
    this.count(this.other);
  }

  private count(kind: Kind): void {
    kind.pending++;
    if (this.now() - kind.loggedAt >= this.intervalMs) {
      this.logAgain(kind);
      return;
    }
    withPending.add(this);
    scheduleDueReports();
  }

  private logAgain(kind: Kind): void {
    diag.warn(`mltel: ${kind.message} (${kind.pending.toLocaleString('en-US')} more since the last message)`);
    kind.pending = 0;
    kind.loggedAt = this.now();
  }
}

/**
 * Logs what every {@link WarnOnce} has counted but not yet logged (one line per kind), so that a
 * process that ends within a minute of a problem still says how often it occurred. Called by the
 * SDK at shutdown.
 */
export function reportSuppressedWarnings(): void {
  for (const warnings of [...withPending]) warnings.report();
  if (dueTimer !== undefined) clearTimeout(dueTimer);
  dueTimer = undefined;
}

/**
 * Keeps an attribute's values bounded: an allow-list, or the first `max` distinct values; any
 * other value becomes `_OTHER`. Long values are truncated. Non-strings are rejected (undefined).
 * An allow-list entry ending in `*` admits every value that starts with the rest of it
 * (`gpt-4o*` admits `gpt-4o-2024-08-06`); at most `max` distinct values pass through patterns.
 */
export class BoundedValues {
  private readonly known: Set<string>;
  private readonly open: boolean;
  private readonly prefixes: readonly string[];
  private matched = 0;

  constructor(
    private readonly attribute: string,
    private readonly max: number,
    private readonly maxLength: number,
    private readonly warnings: WarnOnce,
    allowList?: readonly string[],
  ) {
    const list = allowList ?? [];
    this.known = new Set(list.filter((entry) => !entry.endsWith('*')));
    this.prefixes = list.filter((entry) => entry.endsWith('*')).map((entry) => entry.slice(0, -1));
    this.open = allowList === undefined;
  }

  /** The value to record, or undefined when the value is not a non-empty string. */
  admit(value: unknown): string | undefined {
    if (typeof value !== 'string' || value === '') {
      this.warnings.warn(
        `invalid:${this.attribute}`,
        `${this.attribute} must be a non-empty string, got ${describeValue(value)}; the value is dropped`,
      );
      return undefined;
    }
    let v = value;
    if (v.length > this.maxLength) {
      this.warnings.warn(
        `long:${this.attribute}`,
        `${this.attribute} longer than ${this.maxLength} characters is truncated to ${this.maxLength}`,
      );
      v = v.slice(0, this.maxLength);
    }
    if (this.known.has(v)) return v;
    if (this.matched < this.max && this.prefixes.some((prefix) => v.startsWith(prefix))) {
      this.matched++;
      this.known.add(v);
      return v;
    }
    if (this.open && this.known.size < this.max) {
      this.known.add(v);
      return v;
    }
    this.warnings.warn(
      `overflow:${this.attribute}`,
      this.open
        ? `more than ${this.max} distinct ${this.attribute} values; further values are recorded as ${OTHER_VALUE}`
        : `${this.attribute} value outside the allow-list is recorded as ${OTHER_VALUE}`,
    );
    return OTHER_VALUE;
  }
}

/** A short, data-free description of a value's type for warnings. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : `number ${value}`;
  return typeof value;
}

/** True for a finite, non-negative number (a duration, a count, a size). */
export function isNonNegativeFinite(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
