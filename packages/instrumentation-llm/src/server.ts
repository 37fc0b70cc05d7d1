// server.address / server.port of an SDK client, read from its baseURL once per distinct URL.
const MAX_CACHED = 100;
const cache = new Map<string, Server>();

/** Where a client sends its requests. */
export interface Server {
  readonly serverAddress: string | undefined;
  readonly serverPort: number | undefined;
}

const UNKNOWN: Server = { serverAddress: undefined, serverPort: undefined };

/** The host and port of a base URL (default ports made explicit); never the path or query. */
export function serverOf(baseURL: unknown): Server {
  if (typeof baseURL !== 'string') return UNKNOWN;
  let server = cache.get(baseURL);
  if (server !== undefined) return server;
  try {
    const url = new URL(baseURL);
    const port = url.port === '' ? (url.protocol === 'http:' ? 80 : 443) : Number(url.port);
    server = { serverAddress: url.hostname.replace(/^\[|\]$/g, ''), serverPort: port };
  } catch {
    server = UNKNOWN;
  }
  if (cache.size < MAX_CACHED) cache.set(baseURL, server);
  return server;
}
