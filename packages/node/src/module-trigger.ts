// Work deferred until the application first loads a package: an instrumentation that only patches
// `express` costs nothing at start-up in an application that never loads Express. One in-thread
// resolve hook (node:module registerHooks, Node >= 22.15) sees every resolution, require() and
// import alike, and runs the deferred work during the first resolution of a file inside one of
// the packages: before that file is loaded, so what the work registers sees that very load.
// require-in-the-middle looks its hooks up once the module has loaded, and import-in-the-middle's
// wrapper calls its hooks when the wrapper is evaluated: both after the resolution.
import { MLTEL_VERSION } from '@mltel/kit';
import { InstrumentationBase } from '@opentelemetry/instrumentation';
import * as nodeModule from 'node:module';
import { sep } from 'node:path';

const require = nodeModule.createRequire(import.meta.url);

interface Trigger {
  /** The packages' names: a resolved URL with `/node_modules/<name>/` in it is inside one. */
  readonly packages: readonly string[];
  readonly run: () => void;
}

type ResolveHook = NonNullable<nodeModule.RegisterHooksOptions['resolve']>;

const pending = new Set<Trigger>();
/** The pending triggers by package name. */
const byPackage = new Map<string, Set<Trigger>>();
let hooks: { deregister(): void } | undefined;

const NODE_MODULES = '/node_modules/';
const SLASH = 0x2f;
const AT = 0x40;

/**
 * The resolve hook: the resolution first (an error is the application's, thrown as it is), then
 * the triggers whose package the resolved URL is in, each once. The hook sees every resolution of
 * the application while a trigger waits (an ES module graph of 500 modules resolves thousands of
 * times), so a URL's packages are looked up by name: one scan of the URL, whatever the number of
 * triggers (matching every trigger against every URL took 3.5 ms of an app importing openai and
 * @anthropic-ai/sdk). A package's name in a URL needs no escaping for the names used here
 * (letters, digits, `-`, `@scope/`).
 */
const resolve: ResolveHook = (specifier, context, nextResolve) => {
  const result = nextResolve(specifier, context);
  if (byPackage.size > 0 && result.url.startsWith('file:')) fireIn(result.url);
  return result;
};

/** Fires the triggers of every package that `url` is inside (`/node_modules/<name>/`, scoped names too). */
function fireIn(url: string): void {
  for (let at = url.indexOf(NODE_MODULES); at !== -1; at = url.indexOf(NODE_MODULES, at + 1)) {
    const start = at + NODE_MODULES.length;
    let end = url.indexOf('/', start);
    if (end !== -1 && url.charCodeAt(start) === AT) end = url.indexOf('/', end + 1);
    if (end === -1) return;
    if (end === start || url.charCodeAt(end - 1) === SLASH) continue;
    const triggers = byPackage.get(url.slice(start, end));
    if (triggers !== undefined) for (const trigger of [...triggers]) fire(trigger);
  }
}

/** Runs a trigger once; the hook goes away with the last pending trigger. */
function fire(trigger: Trigger): void {
  if (!forget(trigger)) return;
  if (pending.size === 0) unhook();
  try {
    trigger.run();
  } catch {
    // The work reports its own failures; a resolution never fails because of it.
  }
}

/** Keeps a trigger pending, by each of its packages. */
function remember(trigger: Trigger): void {
  pending.add(trigger);
  for (const name of trigger.packages) {
    const triggers = byPackage.get(name);
    if (triggers === undefined) byPackage.set(name, new Set([trigger]));
    else triggers.add(trigger);
  }
}

/** Takes a trigger off the pending ones; false when it was not pending (fired or cancelled). */
function forget(trigger: Trigger): boolean {
  if (!pending.delete(trigger)) return false;
  for (const name of trigger.packages) {
    const triggers = byPackage.get(name);
    triggers?.delete(trigger);
    if (triggers?.size === 0) byPackage.delete(name);
  }
  return true;
}

function unhook(): void {
  const registered = hooks;
  hooks = undefined;
  try {
    registered?.deregister();
  } catch {
    // Nothing to undo: the hook then stays, and does nothing with no trigger pending.
  }
}

/**
 * An instrumentation that hooks nothing: constructing one creates @opentelemetry/instrumentation's
 * require-in-the-middle singleton, the one wrapper of require() that every instrumentation's
 * CommonJS hooks go through. It must wrap require() before the application's require() of a
 * package whose trigger starts an instrumentation: one created during that require() (the first
 * instrumentation constructed in the process, e.g. with only `openai` enabled) is not on that
 * call's stack, and would miss the very load it was started for. This is the singleton of the
 * copy of @opentelemetry/instrumentation that @mltel/node resolves, the one its instrumentation
 * packages share when the install dedupes it.
 */
class RequireHook extends InstrumentationBase {
  constructor() {
    super('@mltel/node/first-load', MLTEL_VERSION, { enabled: false });
  }

  protected init(): [] {
    return [];
  }
}

let requireHooked = false;

/** Creates the require-in-the-middle singleton now, once ({@link RequireHook}). */
function hookRequire(): void {
  if (requireHooked) return;
  requireHooked = true;
  try {
    new RequireHook();
  } catch {
    // Nothing else to do: the first instrumentation constructed creates it instead.
  }
}

/** Whether a file of one of `packages` is in the CommonJS module cache (loaded before this was asked). */
function alreadyLoaded(packages: readonly string[]): boolean {
  const paths = packages.map((name) => `${sep}node_modules${sep}${name}${sep}`);
  return Object.keys(require.cache).some((file) => paths.some((path) => file.includes(path)));
}

/**
 * Runs `run` once, when the application first resolves a module inside one of `packages` (bare
 * package names, `express`, `pg`): by require() or import, its own or a dependency's, the main
 * file or a deep path. `run` runs during that resolution, before the module loads. At once instead
 * when a file of the packages is already loaded or the hooks are not there (Node < 22.15).
 * Returns the function that cancels it: afterwards `run` never runs. Never throws, and an error
 * of `run` never reaches the application's require() or import: `run` reports its own.
 */
export function onFirstLoad(packages: readonly string[], run: () => void): () => void {
  const trigger: Trigger = { packages: [...packages], run };
  // Typed as always there; absent before Node 22.15.
  const registerHooks = nodeModule.registerHooks as typeof nodeModule.registerHooks | undefined;
  let now = registerHooks === undefined;
  if (registerHooks !== undefined) {
    try {
      now = alreadyLoaded(packages);
      if (!now && hooks === undefined) hooks = registerHooks({ resolve });
    } catch {
      now = true;
    }
  }
  if (now) {
    try {
      run();
    } catch {
      // As in fire().
    }
    return () => {};
  }
  hookRequire();
  remember(trigger);
  return () => {
    if (forget(trigger) && pending.size === 0) unhook();
  };
}

/** How many triggers wait for their package (for tests). */
export function pendingTriggers(): number {
  return pending.size;
}

/** What {@link Starts} keeps of a started instrumentation: how to stop it. */
interface Disableable {
  disable(): void;
}

/**
 * Instrumentations started now or at a package's first load ({@link onFirstLoad}), stopped
 * together: the contrib, LLM client and broker client instrumentations of the preload. A start
 * returns what it started (undefined: nothing) and reports its own failures.
 */
export class Starts {
  private readonly started: Disableable[] = [];
  private readonly waiting: (() => void)[] = [];

  /** Starts one now. */
  now(start: () => Disableable | undefined): void {
    this.keep(start());
  }

  /** Starts one when the application first loads one of `packages`. */
  onFirstLoad(packages: readonly string[], start: () => Disableable | undefined): void {
    this.waiting.push(onFirstLoad(packages, () => this.keep(start())));
  }

  /** Cancels the starts still waiting, then disables every one started. */
  stop(): void {
    for (const cancel of this.waiting.splice(0)) cancel();
    for (const instrumentation of this.started.splice(0)) instrumentation.disable();
  }

  private keep(instrumentation: Disableable | undefined): void {
    if (instrumentation !== undefined) this.started.push(instrumentation);
  }
}
