// Which attribute values a call may carry: every value a caller gives is admitted through a
// bound (a first-come cap or the model allow-list), so a call can never grow the series count.
import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  OTHER_VALUE,
} from '@mltel/semconv';
import { BoundedValues, describeValue } from '@mltel/kit';
import type { WarnOnce } from '@mltel/kit';
import { genAiErrorType } from './error-type.js';
import { field } from '@mltel/kit';
import type { ProviderCall, ProviderMeterOptions, ProviderUsage } from './types.js';

const MAX_PROVIDERS = 50;
const MAX_OPERATIONS = 50;
const MAX_SERVERS = 50;
// `server.port` is a number (semconv), so it cannot become `_OTHER`: past this many distinct ports
// per meter the attribute is left out (the call keeps its `server.address`). Not 0: port 0 reads
// as a real (wildcard) port, and leaving the attribute out is what semconv does for an unknown port.
const MAX_PORTS = 20;
const MAX_ERROR_TYPES = 50;
const MAX_LENGTH = 128;
const MAX_ERROR_TYPE_LENGTH = 64;
// The model as given, kept for price lookups: longer than any real model name.
const MAX_PRICED_MODEL_LENGTH = 256;
/**
 * Calls whose admitted attributes are kept, by the values given: a call of the same provider,
 * operation, model and server reuses them (no admission, no new objects; the SDK still hashes
 * them, but a frozen set is also the key of the response-model and token-type sets built from
 * it). Bounded like the values themselves; past it, calls are admitted afresh.
 */
export const MAX_PREPARED_CALLS = 2000;
/** Response models kept per prepared call. */
const MAX_PREPARED_RESPONSES = 64;

/** A prepared call: its admitted attributes and the values they were admitted from. */
interface PreparedCall {
  readonly provider: unknown;
  readonly operation: unknown;
  readonly model: unknown;
  readonly serverAddress: unknown;
  readonly serverPort: unknown;
  readonly call: CallAttributes;
}

/** A model allow-list option: its strings (at most 10,000), or undefined when it is not an array or cannot be read. */
function modelList(value: unknown): string[] | undefined {
  try {
    if (!Array.isArray(value)) return undefined;
    return value.slice(0, 10_000).filter((entry): entry is string => typeof entry === 'string');
  } catch {
    return undefined;
  }
}

/** A call's admitted attributes: what every measurement of it starts from. */
export interface CallAttributes {
  /** `gen_ai.provider.name` as admitted. */
  readonly provider: string;
  /** `gen_ai.operation.name` as admitted. */
  readonly operation: string;
  /** The request model as given (for price lookups), before the allow-list. */
  readonly model: string | undefined;
  /** provider, operation, bounded request model and server: the attributes of the call's series. */
  readonly base: Attributes;
}

/** Admits the attribute values of the calls of one provider meter. */
export class CallAdmission {
  /** `gen_ai.provider.name` values (health is kept per admitted provider too). */
  readonly providers: BoundedValues;
  private readonly operations: BoundedValues;
  private readonly models: BoundedValues;
  private readonly servers: BoundedValues;
  private readonly errorTypes: BoundedValues;
  private readonly ports = new Set<number>();
  private readonly prepared = new Map<string, PreparedCall>();
  // The response-model sets of each prepared base, by the response model given.
  private readonly responses = new WeakMap<Attributes, Map<string, Attributes>>();

  constructor(
    private readonly warnings: WarnOnce,
    options: Pick<ProviderMeterOptions, 'models' | 'maxModels'> = {},
  ) {
    this.providers = new BoundedValues(ATTR_GEN_AI_PROVIDER_NAME, MAX_PROVIDERS, MAX_LENGTH, warnings);
    this.operations = new BoundedValues(ATTR_GEN_AI_OPERATION_NAME, MAX_OPERATIONS, MAX_LENGTH, warnings);
    const maxModels = options.maxModels;
    this.models = new BoundedValues(
      ATTR_GEN_AI_REQUEST_MODEL,
      typeof maxModels === 'number' && Number.isInteger(maxModels) && maxModels >= 0 && maxModels <= 100_000
        ? maxModels
        : 200,
      MAX_LENGTH,
      warnings,
      modelList(options.models),
    );
    this.servers = new BoundedValues(ATTR_SERVER_ADDRESS, MAX_SERVERS, MAX_LENGTH, warnings);
    this.errorTypes = new BoundedValues(ATTR_ERROR_TYPE, MAX_ERROR_TYPES, MAX_ERROR_TYPE_LENGTH, warnings);
  }

  /** The call's attributes; undefined (with one warning) when it has no valid provider or operation. */
  admit(call: ProviderCall): CallAttributes | undefined {
    if (typeof call !== 'object' || call === null) {
      this.warnings.warn(
        'call:not-object',
        `a provider call needs { provider, operation }, got ${describeValue(call)}`,
      );
      return undefined;
    }
    try {
      // Each field read once: a getter may answer differently on each read.
      const given = {
        provider: call.provider as unknown,
        operation: call.operation as unknown,
        model: call.model as unknown,
        serverAddress: call.serverAddress as unknown,
        serverPort: call.serverPort as unknown,
      };
      const key = preparedKey(given);
      if (key !== undefined) {
        const found = this.prepared.get(key);
        if (found !== undefined && sameValues(found, given)) return found.call;
      }
      const admitted = this.admitValues(given);
      if (admitted === undefined) return undefined;
      if (key !== undefined && admitted.clean && this.prepared.size < MAX_PREPARED_CALLS) {
        Object.freeze(admitted.call.base);
        this.prepared.set(key, { ...given, call: Object.freeze(admitted.call) });
      }
      return admitted.call;
    } catch {
      // A hostile getter on the call object.
      this.warnings.warn('call:getter', 'a provider call object threw while read; the call is not recorded');
      return undefined;
    }
  }

  /**
   * Admits the values of a call; `clean` when every value passed as given (no truncation, no
   * `_OTHER`, no warning), so the same values will always be admitted alike.
   */
  private admitValues(given: {
    provider: unknown;
    operation: unknown;
    model: unknown;
    serverAddress: unknown;
    serverPort: unknown;
  }): { call: CallAttributes; clean: boolean } | undefined {
    const provider = this.providers.admit(given.provider);
    const operation = this.operations.admit(given.operation);
    if (provider === undefined || operation === undefined) return undefined;
    let clean = provider === given.provider && operation === given.operation;
    const base: Attributes = { [ATTR_GEN_AI_OPERATION_NAME]: operation, [ATTR_GEN_AI_PROVIDER_NAME]: provider };
    if (given.model !== undefined) {
      const model = this.models.admit(given.model);
      if (model !== undefined) base[ATTR_GEN_AI_REQUEST_MODEL] = model;
      clean &&= model === given.model;
    }
    if (given.serverAddress !== undefined) {
      const server = this.servers.admit(given.serverAddress);
      clean &&= server === given.serverAddress;
      if (server !== undefined) {
        base[ATTR_SERVER_ADDRESS] = server;
        const port = this.port(given.serverPort);
        if (port !== undefined) base[ATTR_SERVER_PORT] = port;
        // A valid port past the cap is left out with a warning: not kept, so it warns each time.
        clean &&= port === given.serverPort || !isPort(given.serverPort);
      }
    }
    const model = given.model;
    return {
      call: {
        provider,
        operation,
        model: typeof model === 'string' ? model.slice(0, MAX_PRICED_MODEL_LENGTH) : undefined,
        base,
      },
      clean,
    };
  }

  /** A valid port among the first {@link MAX_PORTS} seen, else undefined (left out, one warning). */
  private port(port: unknown): number | undefined {
    if (!isPort(port)) return undefined;
    if (this.ports.has(port)) return port;
    if (this.ports.size < MAX_PORTS) {
      this.ports.add(port);
      return port;
    }
    this.warnings.warn(
      'overflow:server.port',
      `more than ${MAX_PORTS} distinct server.port values; further ports are left out (the call keeps server.address)`,
    );
    return undefined;
  }

  /** `base` with the response model the usage reports (through the same allow-list as request models). */
  withResponseModel(base: Attributes, usage: ProviderUsage | undefined): Attributes {
    const responseModel = field(usage, 'responseModel');
    if (responseModel === undefined) return base;
    // A prepared (frozen) base keeps the sets of the response models it has seen.
    const kept = typeof responseModel === 'string' && Object.isFrozen(base) ? this.responses.get(base) : undefined;
    const found = kept?.get(responseModel as string);
    if (found !== undefined) return found;
    const model = this.models.admit(responseModel);
    if (model === undefined) return base;
    const attributes = { ...base, [ATTR_GEN_AI_RESPONSE_MODEL]: model };
    if (model === responseModel && Object.isFrozen(base)) {
      let byModel = kept;
      if (byModel === undefined) {
        byModel = new Map();
        this.responses.set(base, byModel);
      }
      if (byModel.size < MAX_PREPARED_RESPONSES) byModel.set(model, Object.freeze(attributes));
    }
    return attributes;
  }

  /** The bounded `error.type` of a failure. */
  errorType(error: unknown): string {
    return this.errorTypes.admit(genAiErrorType(error)) ?? OTHER_VALUE;
  }
}

function isPort(port: unknown): port is number {
  return typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536;
}

/** The key of a call's values when they can be prepared (strings, a number port), else undefined. */
function preparedKey(given: {
  provider: unknown;
  operation: unknown;
  model: unknown;
  serverAddress: unknown;
  serverPort: unknown;
}): string | undefined {
  const { provider, operation, model, serverAddress, serverPort } = given;
  if (typeof provider !== 'string' || typeof operation !== 'string') return undefined;
  if (model !== undefined && typeof model !== 'string') return undefined;
  if (serverAddress !== undefined && typeof serverAddress !== 'string') return undefined;
  if (serverPort !== undefined && typeof serverPort !== 'number') return undefined;
  // \u0001 marks an absent value; values holding \u0000 could share a key, so a hit is checked
  // against the values kept with it (sameValues).
  return `${provider}\u0000${operation}\u0000${model ?? '\u0001'}\u0000${serverAddress ?? '\u0001'}\u0000${serverPort ?? ''}`;
}

function sameValues(
  a: Omit<PreparedCall, 'call'>,
  b: { provider: unknown; operation: unknown; model: unknown; serverAddress: unknown; serverPort: unknown },
): boolean {
  return (
    a.provider === b.provider &&
    a.operation === b.operation &&
    a.model === b.model &&
    a.serverAddress === b.serverAddress &&
    a.serverPort === b.serverPort
  );
}
