import type { ExpositionFormat } from './metric-lines.js';

/** The format a scrape asked for, and the content type its response declares. */
export interface Negotiated {
  format: ExpositionFormat;
  contentType: string;
}

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
const TEXT: Negotiated = { format: 'text', contentType: TEXT_CONTENT_TYPE };
const openMetrics = (version: string): Negotiated => ({
  format: 'openmetrics',
  contentType: `application/openmetrics-text; version=${version}; charset=utf-8`,
});

interface Offer {
  type: string;
  params: Map<string, string>;
  q: number;
}

function parseList(header: string): Offer[] {
  const offers: Offer[] = [];
  // Bounded: a header has at most a few entries that matter (Node caps headers at 16 KiB).
  for (const entry of header.split(',').slice(0, 32)) {
    const [type = '', ...rest] = entry.split(';');
    const params = new Map<string, string>();
    for (const param of rest) {
      const at = param.indexOf('=');
      if (at > 0)
        params.set(
          param.slice(0, at).trim().toLowerCase(),
          param
            .slice(at + 1)
            .trim()
            .replace(/^"|"$/g, ''),
        );
    }
    const q = params.has('q') ? Number(params.get('q')) : 1;
    offers.push({ type: type.trim().toLowerCase(), params, q: Number.isFinite(q) ? q : 0 });
  }
  return offers;
}

/**
 * The exposition format of an `Accept` header: OpenMetrics 1.0 when the client prefers
 * `application/openmetrics-text` (version 1.0.0, 0.0.1 or none; Prometheus 2.x asks for it first),
 * else the text format 0.0.4 (also for no header, browsers and `curl`). Between equal qualities,
 * the one listed first wins.
 */
export function negotiateFormat(accept: string | undefined): Negotiated {
  if (!accept) return TEXT;
  let best: Negotiated = TEXT;
  let bestQ = -1;
  for (const offer of parseList(accept)) {
    if (!(offer.q > 0 && offer.q > bestQ)) continue;
    const version = offer.params.get('version');
    if (offer.type === 'application/openmetrics-text') {
      if (version === undefined || version === '1.0.0') best = openMetrics('1.0.0');
      else if (version === '0.0.1') best = openMetrics('0.0.1');
      else continue;
    } else if (offer.type === 'text/plain' || offer.type === 'text/*' || offer.type === '*/*') {
      if (version !== undefined && version !== '0.0.4') continue;
      best = TEXT;
    } else continue;
    bestQ = offer.q;
  }
  return best;
}

/** Whether an `Accept-Encoding` header accepts gzip (`gzip` or `*` with a quality above 0). */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (!acceptEncoding) return false;
  let star = false;
  for (const offer of parseList(acceptEncoding)) {
    if (offer.type === 'gzip' || offer.type === 'x-gzip') return offer.q > 0;
    if (offer.type === '*') star = offer.q > 0;
  }
  return star;
}
