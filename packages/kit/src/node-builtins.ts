// node:http and node:https for mltel's start-up path, taken with process.getBuiltinModule (the
// CommonJS module object, loaded at the first call) instead of an ES `import`. An ES import of a
// builtin builds its ES facade, which reads every export, and since Node 22 node:http exports
// WebSocket, CloseEvent and MessageEvent through getters that load Node's bundled undici: the
// facade alone took 15-20 ms of the preload's start-up (Node 24, docs/benchmarks.md), in an
// application that may never use WebSocket. Taken at the call, node:https (and TLS behind it) also
// loads only when a feature uses it.

let http: typeof import('node:http') | undefined;
let https: typeof import('node:https') | undefined;

/** The node:http module (kept after the first call: a look-up costs about 50 ns). */
export function nodeHttp(): typeof import('node:http') {
  http ??= process.getBuiltinModule('node:http');
  return http;
}

/** The node:https module. */
export function nodeHttps(): typeof import('node:https') {
  https ??= process.getBuiltinModule('node:https');
  return https;
}
