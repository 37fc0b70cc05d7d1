// The diag logger the SDK installs: the console, at OTEL_LOG_LEVEL, with every line made safe.
// mltel's own messages are redacted where they are built; this catches the rest (upstream OTel
// components echo environment URLs verbatim, e.g. "Could not parse environment-provided export
// URL: '<value>'"), so no line carries an endpoint's password or api_key, nor a huge value.
import { DiagConsoleLogger } from '@opentelemetry/api';
import type { DiagLogger } from '@opentelemetry/api';
import { redactUrl } from '@mltel/kit';

/** The longest diag line written; the rest is cut (a message may embed caller data). */
export const MAX_LOG_LINE_CHARS = 2000;

// Terminal controls (ANSI escapes, carriage returns, bidi overrides) from a value in a message
// are shown escaped, never interpreted; newlines and tabs stay (stack traces).
// biome-ignore lint/suspicious/noControlCharactersInRegex: escaping them is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function escapeControl(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

function safe(text: string): string {
  const redacted = redactUrl(text).replace(CONTROL, escapeControl);
  return redacted.length > MAX_LOG_LINE_CHARS ? `${redacted.slice(0, MAX_LOG_LINE_CHARS)}… (cut)` : redacted;
}

function safeArg(arg: unknown): unknown {
  if (typeof arg === 'string') return safe(arg);
  if (arg instanceof Error) return safe(arg.stack ?? `${arg.name}: ${arg.message}`);
  return arg;
}

// The message as a string: upstream components also pass an Error (exporter-prometheus's listen
// failure) or other values, where a string was expected; a logger that threw on them crashed the app.
function safeMessage(message: unknown): string {
  const text = safeArg(message);
  return typeof text === 'string' ? text : safe(String(text));
}

/** A diag logger writing to the console with credentials redacted and lines cut. */
export class SafeConsoleLogger implements DiagLogger {
  /** `sink`: where the safe lines go; default the console. */
  constructor(private readonly console: DiagLogger = new DiagConsoleLogger()) {}

  /** Logs an error. */
  error(message: string, ...args: unknown[]): void {
    this.console.error(safeMessage(message), ...args.map(safeArg));
  }
  /** Logs a warning. */
  warn(message: string, ...args: unknown[]): void {
    this.console.warn(safeMessage(message), ...args.map(safeArg));
  }
  /** Logs information. */
  info(message: string, ...args: unknown[]): void {
    this.console.info(safeMessage(message), ...args.map(safeArg));
  }
  /** Logs debugging detail. */
  debug(message: string, ...args: unknown[]): void {
    this.console.debug(safeMessage(message), ...args.map(safeArg));
  }
  /** Logs everything else. */
  verbose(message: string, ...args: unknown[]): void {
    this.console.verbose(safeMessage(message), ...args.map(safeArg));
  }
}
