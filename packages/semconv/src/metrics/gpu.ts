import {
  ATTR_ERROR_TYPE,
  ATTR_HW_DRIVER_VERSION,
  ATTR_HW_GPU_TASK,
  ATTR_HW_ID,
  ATTR_HW_MODEL,
  ATTR_HW_NAME,
  ATTR_HW_TYPE,
  ATTR_HW_VENDOR,
  ATTR_NVIDIA_GPU_CLOCK_TYPE,
  ATTR_PROCESS_EXECUTABLE_NAME,
} from '../attributes.js';
import type { MetricDefinition } from '../types.js';

/** Seconds-scale buckets for one nvidia-smi run: 10 ms (a small host) to 30 s (a hung driver). */
export const GPU_COLLECTION_DURATION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

// `hw.type` is required by the OTel hardware conventions on every `hw.*` metric (always `gpu` here).
const DEVICE = [ATTR_HW_ID, ATTR_HW_TYPE, ATTR_HW_NAME, ATTR_HW_MODEL, ATTR_HW_VENDOR, ATTR_HW_DRIVER_VERSION] as const;

/** `hw.gpu.utilization`: busy fraction of the GPU, by task (general, encoder, decoder). */
export const HW_GPU_UTILIZATION = {
  name: 'hw.gpu.utilization',
  kind: 'ObservableGauge',
  unit: '1',
  description: 'Fraction of time the GPU was busy, by task.',
  attributes: [...DEVICE, ATTR_HW_GPU_TASK],
  family: 'gpu',
  owner: '@mltel/host-metrics-gpu',
  prometheusName: 'hw_gpu_utilization_ratio',
} as const satisfies MetricDefinition;

/** `hw.gpu.memory.usage`: GPU memory in use. */
export const HW_GPU_MEMORY_USAGE = {
  name: 'hw.gpu.memory.usage',
  kind: 'ObservableUpDownCounter',
  unit: 'By',
  description: 'GPU memory in use.',
  attributes: DEVICE,
  family: 'gpu',
  owner: '@mltel/host-metrics-gpu',
  prometheusName: 'hw_gpu_memory_usage_bytes',
} as const satisfies MetricDefinition;

/** `hw.gpu.memory.limit`: GPU memory size. */
export const HW_GPU_MEMORY_LIMIT = {
  name: 'hw.gpu.memory.limit',
  kind: 'ObservableUpDownCounter',
  unit: 'By',
  description: 'GPU memory size.',
  attributes: DEVICE,
  family: 'gpu',
  owner: '@mltel/host-metrics-gpu',
  prometheusName: 'hw_gpu_memory_limit_bytes',
} as const satisfies MetricDefinition;

/** `hw.gpu.memory.utilization`: used over total GPU memory. */
export const HW_GPU_MEMORY_UTILIZATION = {
  name: 'hw.gpu.memory.utilization',
  kind: 'ObservableGauge',
  unit: '1',
  description: 'Fraction of GPU memory in use.',
  attributes: DEVICE,
  family: 'gpu',
  owner: '@mltel/host-metrics-gpu',
  prometheusName: 'hw_gpu_memory_utilization_ratio',
} as const satisfies MetricDefinition;

/** `hw.power`: power draw. */
export const HW_POWER = {
  name: 'hw.power',
  kind: 'ObservableGauge',
  unit: 'W',
  description: 'Power drawn by the GPU.',
  attributes: DEVICE,
  family: 'gpu',
  owner: '@mltel/host-metrics-gpu',
  prometheusName: 'hw_power_watts',
} as const satisfies MetricDefinition;

/** `hw.temperature`: GPU temperature. */
export const HW_TEMPERATURE = {
  name: 'hw.temperature',
  kind: 'ObservableGauge',
  unit: 'Cel',
  description: 'GPU temperature.',
  attributes: DEVICE,
  family: 'gpu',
  owner: '@mltel/host-metrics-gpu',
  prometheusName: 'hw_temperature_celsius',
} as const satisfies MetricDefinition;

/** `hw.fan.speed_ratio`: fan speed as a fraction of its maximum. */
export const HW_FAN_SPEED_RATIO = {
  name: 'hw.fan.speed_ratio',
  kind: 'ObservableGauge',
  unit: '1',
  description: 'Fan speed as a fraction of its maximum.',
  attributes: DEVICE,
  family: 'gpu',
  owner: '@mltel/host-metrics-gpu',
  prometheusName: 'hw_fan_speed_ratio',
} as const satisfies MetricDefinition;

/** `hw.errors`: ECC errors, corrected or uncorrected. */
export const HW_ERRORS = {
  name: 'hw.errors',
  kind: 'ObservableCounter',
  unit: '{error}',
  description: 'GPU ECC errors since driver load, corrected or uncorrected.',
  attributes: [...DEVICE, ATTR_ERROR_TYPE],
  family: 'gpu',
  owner: '@mltel/host-metrics-gpu',
  prometheusName: 'hw_errors_total',
} as const satisfies MetricDefinition;

/** `nvidia.gpu.clock.frequency`: current clocks (NVIDIA extra). */
export const NVIDIA_GPU_CLOCK_FREQUENCY = {
  name: 'nvidia.gpu.clock.frequency',
  kind: 'ObservableGauge',
  unit: 'Hz',
  description: 'Current GPU clock frequency, by clock.',
  attributes: [...DEVICE, ATTR_NVIDIA_GPU_CLOCK_TYPE],
  family: 'gpu',
  owner: '@mltel/host-metrics-gpu',
  prometheusName: 'nvidia_gpu_clock_frequency_hertz',
} as const satisfies MetricDefinition;

/** `nvidia.gpu.power.limit`: enforced power limit (NVIDIA extra). */
export const NVIDIA_GPU_POWER_LIMIT = {
  name: 'nvidia.gpu.power.limit',
  kind: 'ObservableGauge',
  unit: 'W',
  description: 'Enforced GPU power limit.',
  attributes: DEVICE,
  family: 'gpu',
  owner: '@mltel/host-metrics-gpu',
  prometheusName: 'nvidia_gpu_power_limit_watts',
} as const satisfies MetricDefinition;

/** `nvidia.gpu.process.memory.usage`: GPU memory per process (NVIDIA extra, opt-in). */
export const NVIDIA_GPU_PROCESS_MEMORY_USAGE = {
  name: 'nvidia.gpu.process.memory.usage',
  kind: 'ObservableGauge',
  unit: 'By',
  description: 'GPU memory used per process executable (opt-in).',
  attributes: [...DEVICE, ATTR_PROCESS_EXECUTABLE_NAME],
  family: 'gpu',
  owner: '@mltel/host-metrics-gpu',
  prometheusName: 'nvidia_gpu_process_memory_usage_bytes',
  optIn: true,
} as const satisfies MetricDefinition;

/** `ml.gpu.collection.duration`: how long one nvidia-smi collection took (the plugin's own health). */
export const ML_GPU_COLLECTION_DURATION = {
  name: 'ml.gpu.collection.duration',
  kind: 'Histogram',
  unit: 's',
  description: 'Duration of one nvidia-smi collection by the GPU plugin, failed ones included.',
  attributes: [],
  buckets: GPU_COLLECTION_DURATION_BUCKETS,
  family: 'gpu',
  owner: '@mltel/host-metrics-gpu',
  prometheusName: 'ml_gpu_collection_duration_seconds',
} as const satisfies MetricDefinition;

/** `ml.gpu.collection.failures`: failed nvidia-smi collections, by reason (a closed set). */
export const ML_GPU_COLLECTION_FAILURES = {
  name: 'ml.gpu.collection.failures',
  kind: 'ObservableCounter',
  unit: '{failure}',
  description: 'Failed nvidia-smi collections by the GPU plugin, by reason.',
  attributes: [ATTR_ERROR_TYPE],
  family: 'gpu',
  owner: '@mltel/host-metrics-gpu',
  prometheusName: 'ml_gpu_collection_failures_total',
} as const satisfies MetricDefinition;

/** `ml.gpu.collection.exit_code`: exit code of the last nvidia-smi run (128 + signal when killed). */
export const ML_GPU_COLLECTION_EXIT_CODE = {
  name: 'ml.gpu.collection.exit_code',
  kind: 'ObservableGauge',
  unit: '{code}',
  description: 'Exit code of the last nvidia-smi run of the GPU plugin (128 + signal number when killed).',
  attributes: [],
  family: 'gpu',
  owner: '@mltel/host-metrics-gpu',
  prometheusName: 'ml_gpu_collection_exit_code',
} as const satisfies MetricDefinition;

/** The GPU family (OTel hardware conventions plus NVIDIA extras). */
export const GPU_METRICS = [
  HW_GPU_UTILIZATION,
  HW_GPU_MEMORY_USAGE,
  HW_GPU_MEMORY_LIMIT,
  HW_GPU_MEMORY_UTILIZATION,
  HW_POWER,
  HW_TEMPERATURE,
  HW_FAN_SPEED_RATIO,
  HW_ERRORS,
  NVIDIA_GPU_CLOCK_FREQUENCY,
  NVIDIA_GPU_POWER_LIMIT,
  NVIDIA_GPU_PROCESS_MEMORY_USAGE,
  ML_GPU_COLLECTION_DURATION,
  ML_GPU_COLLECTION_FAILURES,
  ML_GPU_COLLECTION_EXIT_CODE,
] as const;
