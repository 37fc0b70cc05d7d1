import { describe, expect, it } from 'vitest';
import { acceptsGzip, negotiateFormat, TEXT_CONTENT_TYPE } from './negotiate.js';

const OPENMETRICS = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

describe('negotiateFormat', () => {
  it('answers Prometheus 2.x, which asks for OpenMetrics first, with OpenMetrics 1.0', () => {
    const prometheus =
      'application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2';
    expect(negotiateFormat(prometheus)).toEqual({ format: 'openmetrics', contentType: OPENMETRICS });
    expect(negotiateFormat('application/openmetrics-text')).toEqual({
      format: 'openmetrics',
      contentType: OPENMETRICS,
    });
    expect(negotiateFormat('application/openmetrics-text; version=0.0.1').contentType).toBe(
      'application/openmetrics-text; version=0.0.1; charset=utf-8',
    );
  });

  it('serves the text format 0.0.4 to everything else', () => {
    for (const accept of [
      undefined,
      '',
      '*/*',
      'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
      'text/plain;version=0.0.4;q=0.9,application/openmetrics-text;version=1.0.0;q=0.5',
      'application/openmetrics-text;version=2.0.0',
      'application/openmetrics-text;q=0',
      'application/json',
    ]) {
      expect(negotiateFormat(accept), String(accept)).toEqual({ format: 'text', contentType: TEXT_CONTENT_TYPE });
    }
  });
});

describe('acceptsGzip', () => {
  it('accepts gzip, x-gzip and * with a quality above zero', () => {
    expect(acceptsGzip('gzip')).toBe(true);
    expect(acceptsGzip('deflate, gzip;q=0.5, br')).toBe(true);
    expect(acceptsGzip('x-gzip')).toBe(true);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip(undefined)).toBe(false);
    expect(acceptsGzip('identity')).toBe(false);
    expect(acceptsGzip('gzip;q=0')).toBe(false);
    expect(acceptsGzip('*;q=0')).toBe(false);
  });
});
