// `http.route` of an Express request for the diagnostics-channel HTTP metrics (./http-metrics.ts).
// The contrib HTTP instrumentation reads it from the RPC metadata that the Express
// instrumentation writes into the active context, which needs a context manager and a context
// per request. The Express instrumentation also keeps, on the request, the mount paths of the
// layers the request is in (its `__ot_middlewares` store: pushed when a layer is entered, popped
// when the layer calls `next()`): when the response ends, that store is the route that handled
// it. The route is built from it by the Express instrumentation's own rules (its
// getConstructedRoute / getActualMatchedRoute, @opentelemetry/instrumentation-express 0.72,
// which does not export them).

/** The Express instrumentation's store of layer paths on a request (its `_LAYERS_STORE_PROPERTY`). */
const LAYERS = '__ot_middlewares';

/** The request fields this reads. */
export interface RoutedRequest {
  originalUrl?: unknown;
  [LAYERS]?: unknown;
}

const MOUNT_ONLY = /^\/\{[*][^}]*\}$/;

/**
 * The `http.route` of an Express request when its response ends, or undefined (not Express, the
 * Express instrumentation off, or no route matched: a 404).
 */
export function expressRoute(request: RoutedRequest): string | undefined {
  const layers = request[LAYERS];
  if (!Array.isArray(layers) || layers.length === 0) return undefined;
  const originalUrl = typeof request.originalUrl === 'string' ? request.originalUrl : '';
  if (layers.every((path) => path === '/')) return originalUrl === '/' ? '/' : undefined;
  const meaningful = layers.filter(
    (path): path is string => typeof path === 'string' && path !== '/' && path !== '/*' && !MOUNT_ONLY.test(path),
  );
  if (meaningful.length === 1 && meaningful[0] === '*') return '*';
  const constructed = meaningful.join('').replace(/\/{2,}/g, '/');
  if (constructed.includes('/') && /[,\\*[]/.test(constructed)) return constructed;
  const route = constructed.startsWith('/') ? constructed : `/${constructed}`;
  return originalUrl === route || originalUrl.startsWith(route) || route.includes(':') || route.includes('*')
    ? route
    : undefined;
}
