// Public configuration and the records the runner hands to the metrics (and to `mltel gpu`).
import type { MeterProvider } from '@opentelemetry/api';
import type { ClockReading, EccReading, GpuProcess, MemoryReading, UtilizationReading } from '@mltel/nvidia-smi-parser';

/** NVIDIA-only metrics, each off unless opted in. */
export interface GpuExtras {
  /** `nvidia.gpu.clock.frequency` by clock (graphics, sm, memory, video). */
  clocks?: boolean;
  /** `nvidia.gpu.power.limit`: the enforced power limit. */
  powerLimit?: boolean;
  /** `nvidia.gpu.process.memory.usage` by executable name; switches collection to `-q -x`. */
  processMemory?: boolean;
}

/**
 * What one collection runs: `csv` (`--query-gpu`, the cheapest), `xml` (`-q -x`: MIG instance
 * memory and processes), or `auto` (xml when `-L` shows MIG instances or process memory is opted
 * in, csv otherwise).
 */
export type GpuQuerySource = 'auto' | 'csv' | 'xml';

/** Options of {@link GpuHostMetrics}. */
export interface GpuHostMetricsConfig {
  /** Provider to create the meter on; default: the global one. */
  meterProvider?: MeterProvider;
  /** Register the callback in the constructor (instrumentation style). Default true. */
  enabled?: boolean;
  /** `nvidia-smi` to run: a path, or a name looked up on PATH. Default `nvidia-smi`. */
  nvidiaSmiPath?: string;
  /** Kill a run (SIGTERM, then SIGKILL after `killGraceMs`) that takes longer. Default 10000. */
  timeoutMs?: number;
  /** Wait between SIGTERM and SIGKILL. Default 1000. */
  killGraceMs?: number;
  /** Opt-in NVIDIA extras. */
  extras?: GpuExtras;
  /** Default `auto`. */
  source?: GpuQuerySource;
  /**
   * Loop mode: one long-running `nvidia-smi --query-gpu=… -l N` child whose latest sample each
   * collection uses (no spawn per collection), for hosts where a run takes seconds. CSV only:
   * no MIG instance memory, no processes. Off (undefined) by default.
   */
  loopIntervalSeconds?: number;
  /** Environment of the child (PATH lookup included). Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** Why a collection produced nothing. A closed set: the `error.type` of the failures counter. */
export type CollectionFailureReason =
  | 'not-found' // nvidia-smi is not on PATH / the path does not exist
  | 'spawn-error' // it exists but cannot be run (permissions, not executable)
  | 'timeout' // killed after timeoutMs
  | 'driver-not-loaded'
  | 'driver-mismatch'
  | 'no-devices'
  | 'gpu-lost'
  | 'invalid-field' // a query field the driver rejects, even after renegotiation
  | 'malformed' // output none of the parsers understands
  | 'exit-code'; // a non-zero exit with no recognised text

/** One GPU or MIG instance: a device of its own in the metrics. */
export interface GpuDevice {
  /** `hw.id`: the GPU UUID, or the MIG instance UUID (`MIG-<GPU UUID>/<gi>/<ci>` when unknown). */
  id: string;
  /** `hw.name`: `GPU 0`, `GPU 0 MIG 1`. */
  name: string;
  /** `hw.model`: the product name (with the MIG profile for an instance, when known). */
  model?: string;
  driverVersion?: string;
  /** GPU index (the parent's for a MIG instance). */
  index?: number;
  /** MIG device index within its GPU; undefined for a whole GPU. */
  migIndex?: number;
  /** The parent GPU's id, for a MIG instance. */
  parentId?: string;
  memory: MemoryReading;
  utilization: UtilizationReading;
  powerDrawWatts?: number;
  powerLimitWatts?: number;
  temperatureCelsius?: number;
  fanSpeedRatio?: number;
  ecc: EccReading;
  clocks: ClockReading;
  processes: GpuProcess[];
}

/** A collection that read the GPUs. */
export interface CollectionSuccess {
  ok: true;
  devices: GpuDevice[];
  /** What produced it. */
  source: 'csv' | 'xml' | 'loop';
  /** Seconds the collection took (0 in loop mode: no run). */
  durationSeconds: number;
  exitCode: number | undefined;
  /** Increases with each run; shared results carry the same number. */
  run: number;
}

/** A collection that failed, with the reason and the original text. */
export interface CollectionFailure {
  ok: false;
  reason: CollectionFailureReason;
  /** One sentence for people: what failed (and the original nvidia-smi text when it had one). */
  message: string;
  /** nvidia-smi's output, when it printed something. */
  output?: string;
  exitCode: number | undefined;
  durationSeconds: number;
  run: number;
}

/** What one collection gives. */
export type CollectionResult = CollectionSuccess | CollectionFailure;
