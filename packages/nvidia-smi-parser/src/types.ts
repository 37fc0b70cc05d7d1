// The typed records the parsers produce: the contract between @mltel/nvidia-smi-parser and its
// users (@mltel/host-metrics-gpu, the `mltel gpu` command). Every field a capture may lack is
// optional and is `undefined` when absent (`[N/A]`, `N/A`, `[Not Supported]`, `ERR!`,
// "Requested functionality has been deprecated", …): never 0.
//
// Units are normalised: memory in bytes (MiB × 1048576), utilisation and fan speed as ratios
// 0..1 (percent / 100), power in watts, clocks in hertz (MHz × 1e6), temperatures in celsius.

/** Memory figures of a GPU or MIG instance (framebuffer memory), in bytes. */
export interface MemoryReading {
  totalBytes?: number;
  usedBytes?: number;
  freeBytes?: number;
  reservedBytes?: number;
}

/** Busy fractions, 0..1. Under MIG, nvidia-smi reports `[N/A]` for gpu/memory utilisation. */
export interface UtilizationReading {
  gpu?: number;
  memory?: number;
  encoder?: number;
  decoder?: number;
}

/** ECC error counts (volatile: since driver load; aggregate: lifetime). */
export interface EccReading {
  correctedVolatile?: number;
  uncorrectedVolatile?: number;
  correctedAggregate?: number;
  uncorrectedAggregate?: number;
}

/** Current clocks, in hertz. */
export interface ClockReading {
  graphics?: number;
  sm?: number;
  memory?: number;
  video?: number;
}

/** A process using a GPU (from `-q -x` `<process_info>` or `--query-compute-apps`). */
export interface GpuProcess {
  pid?: number;
  /** Executable path or name as nvidia-smi prints it. */
  name?: string;
  /** `C`, `G`, `C+G`, … when known. */
  type?: string;
  usedMemoryBytes?: number;
  /** Set under MIG: which instance the process runs on. */
  gpuInstanceId?: number;
  computeInstanceId?: number;
  /** The owning GPU's UUID (`--query-compute-apps` gives it per row). */
  gpuUuid?: string;
}

/** A MIG instance of a GPU: a device of its own in metrics. */
export interface MigDeviceReading {
  /** MIG device index within its GPU. */
  index?: number;
  gpuInstanceId?: number;
  computeInstanceId?: number;
  /** `MIG-…` UUID, from `-L` (the XML does not carry it before v13). */
  uuid?: string;
  /** Profile name such as `3g.40gb`, from `-L` when known. */
  profile?: string;
  memory: MemoryReading;
  multiprocessorCount?: number;
}

/** One GPU as one nvidia-smi output describes it. */
export interface GpuReading {
  /** nvidia-smi's GPU index. In `-q -x` output (which has none) it is the position in the document. */
  index?: number;
  /** `/dev/nvidia<N>` minor number (`-q -x` only); differs from `index` on some hosts. */
  minorNumber?: number;
  uuid?: string;
  /** Product name, e.g. `NVIDIA A100-SXM4-80GB`. */
  name?: string;
  pciBusId?: string;
  serial?: string;
  driverVersion?: string;
  memory: MemoryReading;
  utilization: UtilizationReading;
  /** Power draw in watts (`power.draw`, or `instant_power_draw`/`average_power_draw` on v12+). */
  powerDrawWatts?: number;
  /** Enforced power limit in watts. */
  powerLimitWatts?: number;
  temperatureCelsius?: number;
  memoryTemperatureCelsius?: number;
  fanSpeedRatio?: number;
  ecc: EccReading;
  clocks: ClockReading;
  /** `P0` … `P12`. */
  performanceState?: string;
  /** Current MIG mode; undefined when the GPU does not support MIG. */
  migEnabled?: boolean;
  migDevices: MigDeviceReading[];
  processes: GpuProcess[];
}

/** What `nvidia-smi -q -x` reports. */
export interface XmlReport {
  /** DTD version from the DOCTYPE (`nvsmi_device_v12.dtd` → 12); undefined without a DOCTYPE. */
  schemaVersion?: number;
  timestamp?: string;
  driverVersion?: string;
  cudaVersion?: string;
  attachedGpus?: number;
  gpus: GpuReading[];
}

/** One line of `nvidia-smi -L` with its MIG children. */
export interface ListedGpu {
  index: number;
  name: string;
  uuid?: string;
  migDevices: Array<{ index: number; profile?: string; uuid?: string }>;
}

/** A field of `--help-query-gpu`: its name and the aliases listed with it. */
export interface QueryField {
  name: string;
  aliases: string[];
  description: string;
}

/** Why nvidia-smi failed, recognised from its output. */
export type NvidiaSmiFailureReason =
  | 'driver-not-loaded' // "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver"
  | 'driver-mismatch' // "Failed to initialize NVML: Driver/library version mismatch"
  | 'no-devices' // "No devices were found"
  | 'gpu-lost' // "Unable to determine the device handle for GPU…: Unknown Error" / "GPU is lost"
  | 'invalid-field' // "Field "x" is not a valid field to query."
  | 'malformed'; // output that is none of the formats the parser was asked for
