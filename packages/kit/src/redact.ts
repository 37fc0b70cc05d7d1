// Log-safe renderings of caller and configuration data: messages must never carry credentials
// (an endpoint's user:password@ or ?api_key=) nor a value that floods or garbles a terminal.

/** Query parameters whose values are secrets: their values are replaced in logged URLs. */
const SECRET_PARAM = /(?:key|token|secret|passw|pwd|auth|sig|credential|session|cookie|bearer)/i;
/** The longest value {@link describeText} shows; the rest is cut and counted. */
export const MAX_DESCRIBED_CHARS = 80;

const REDACTED = '***';

function redactQuery(query: string): string {
  return query.replace(/(^|[?&;\s])([^=&;#\s"']*)=([^&;#\s"']*)/g, (match, sep: string, name: string) =>
    SECRET_PARAM.test(name) ? `${sep}${name}=${REDACTED}` : match,
  );
}

/**
 * The URL (or any text holding one) with its credentials replaced by `***`: the user and password
 * of `scheme://user:password@host`, a bare `user:password@host`, and the values of query
 * parameters named like secrets (`api_key`, `token`, `password`, `sig`, ...). Works on text that
 * does not parse as a URL too, since configuration errors echo exactly such values.
 */
export function redactUrl(url: string): string {
  return redactQuery(
    url
      // scheme://userinfo@ (userinfo may hold ':' and anything but '/' and '@')
      .replace(/(\/\/)[^/@\s]*@/g, `$1${REDACTED}@`)
      // a bare user:password@host without a scheme
      .replace(/(^|[\s"'(=])[^\s/@:"'(]+:[^\s/@"']*@/g, `$1${REDACTED}@`),
  );
}

function escapeChar(char: string): string {
  const code = char.charCodeAt(0);
  if (char === '\n') return '\\n';
  if (char === '\r') return '\\r';
  if (char === '\t') return '\\t';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * A value as it may appear in a log line: a string quoted, with control characters (C0, DEL, C1,
 * line and paragraph separators, bidi controls) escaped and cut after `max` characters with the
 * length said (`"aaaa…" (10485760 characters)`); other types by their type alone (see
 * `describeValue`). Never echoes a long or garbled value verbatim.
 */
export function describeText(value: unknown, max: number = MAX_DESCRIBED_CHARS): string {
  if (typeof value !== 'string') {
    if (value === null) return 'null';
    if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : `number ${value}`;
    return typeof value;
  }
  const cut = value.length > max ? value.slice(0, max) : value;
  const escaped = cut
    .replace(/["\\]/g, (c) => `\\${c}`)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: escaping them is the point
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, escapeChar);
  return value.length > max ? `"${escaped}…" (${value.length} characters)` : `"${escaped}"`;
}
