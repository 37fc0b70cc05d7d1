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
      const provider = this.providers.admit(call.provider);
      const operation = this.operations.admit(call.operation);
      if (provider === undefined || operation === undefined) return undefined;
      const base: Attributes = { [ATTR_GEN_AI_OPERATION_NAME]: operation, [ATTR_GEN_AI_PROVIDER_NAME]: provider };
      if (call.model !== undefined) {
        const model = this.models.admit(call.model);
        if (model !== undefined) base[ATTR_GEN_AI_REQUEST_MODEL] = model;
      }
      if (call.serverAddress !== undefined) {
        const server = this.servers.admit(call.serverAddress);
        if (server !== undefined) {
          base[ATTR_SERVER_ADDRESS] = server;
          const port = this.port(call.serverPort);
          if (port !== undefined) base[ATTR_SERVER_PORT] = port;
        }
      }
      return {
        provider,
        operation,
        model: typeof call.model === 'string' ? call.model.slice(0, MAX_PRICED_MODEL_LENGTH) : undefined,
        base,
      };
    } catch {
      // A hostile getter on the call object.
      this.warnings.warn('call:getter', 'a provider call object threw while read; the call is not recorded');
      return undefined;
    }
  }

  /** A valid port among the first {@link MAX_PORTS} seen, else undefined (left out, one warning). */
  private port(port: unknown): number | undefined {
    if (typeof port !== 'number' || !Number.isInteger(port) || port <= 0 || port >= 65536) return undefined;
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
    const model = this.models.admit(responseModel);
    return model === undefined ? base : { ...base, [ATTR_GEN_AI_RESPONSE_MODEL]: model };
  }

  /** The bounded `error.type` of a failure. */
  errorType(error: unknown): string {
    return this.errorTypes.admit(genAiErrorType(error)) ?? OTHER_VALUE;
  }
}
