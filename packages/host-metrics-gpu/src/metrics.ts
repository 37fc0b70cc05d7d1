// Recording: the instruments of the GPU family and the one batch observable callback that
// reads a collection (shared by every instrument) and observes it.
import type { Attributes, BatchObservableCallback, Histogram, Meter, Observable } from '@opentelemetry/api';
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
  HW_ERRORS,
  HW_FAN_SPEED_RATIO,
  HW_GPU_MEMORY_LIMIT,
  HW_GPU_MEMORY_USAGE,
  HW_GPU_MEMORY_UTILIZATION,
  HW_GPU_UTILIZATION,
  HW_POWER,
  HW_TEMPERATURE,
  ML_GPU_COLLECTION_DURATION,
  ML_GPU_COLLECTION_EXIT_CODE,
  ML_GPU_COLLECTION_FAILURES,
  NVIDIA_GPU_CLOCK_FREQUENCY,
  NVIDIA_GPU_POWER_LIMIT,
  NVIDIA_GPU_PROCESS_MEMORY_USAGE,
} from '@mltel/semconv';
import { BoundedValues, instrumentOptions, MLTEL_VERSION } from '@mltel/kit';
import type { CallbackRegistry, WarnOnce } from '@mltel/kit';
import type { CollectionFailureReason, CollectionResult, GpuDevice, GpuExtras } from './types.js';

/** The instrumentation scope of the plugin's meter. */
export const SCOPE_NAME = '@mltel/host-metrics-gpu';
/** Its version: the mltel version (kept under this name, which the package exports). */
export const SCOPE_VERSION = MLTEL_VERSION;

const MAX_PROCESS_NAMES = 50;

type Observe = (observable: Observable, value: number, attributes: Attributes) => void;

/**
 * The instruments of one enable cycle and its batch callback, registered through the binding's
 * callback registry (which removes it when the plugin is disabled or moves to another provider).
 */
export class GpuInstruments {
  private readonly utilization;
  private readonly memoryUsage;
  private readonly memoryLimit;
  private readonly memoryUtilization;
  private readonly power;
  private readonly temperature;
  private readonly fan;
  private readonly errors;
  private readonly clock;
  private readonly powerLimit;
  private readonly processMemory;
  private readonly failures;
  private readonly exitCode;
  private readonly duration: Histogram;
  private readonly processNames: BoundedValues;
  private lastRecordedRun = 0;

  constructor(
    meter: Meter,
    callbacks: CallbackRegistry,
    private readonly extras: GpuExtras,
    collect: () => Promise<CollectionResult>,
    failureCounts: () => ReadonlyMap<CollectionFailureReason, number>,
    lastExitCode: () => number | undefined,
    warnings: WarnOnce,
  ) {
    this.utilization = meter.createObservableGauge(HW_GPU_UTILIZATION.name, instrumentOptions(HW_GPU_UTILIZATION));
    this.memoryUsage = meter.createObservableUpDownCounter(
      HW_GPU_MEMORY_USAGE.name,
      instrumentOptions(HW_GPU_MEMORY_USAGE),
    );
    this.memoryLimit = meter.createObservableUpDownCounter(
      HW_GPU_MEMORY_LIMIT.name,
      instrumentOptions(HW_GPU_MEMORY_LIMIT),
    );
    this.memoryUtilization = meter.createObservableGauge(
      HW_GPU_MEMORY_UTILIZATION.name,
      instrumentOptions(HW_GPU_MEMORY_UTILIZATION),
    );
    this.power = meter.createObservableGauge(HW_POWER.name, instrumentOptions(HW_POWER));
    this.temperature = meter.createObservableGauge(HW_TEMPERATURE.name, instrumentOptions(HW_TEMPERATURE));
    this.fan = meter.createObservableGauge(HW_FAN_SPEED_RATIO.name, instrumentOptions(HW_FAN_SPEED_RATIO));
    this.errors = meter.createObservableCounter(HW_ERRORS.name, instrumentOptions(HW_ERRORS));
    this.clock = meter.createObservableGauge(
      NVIDIA_GPU_CLOCK_FREQUENCY.name,
      instrumentOptions(NVIDIA_GPU_CLOCK_FREQUENCY),
    );
    this.powerLimit = meter.createObservableGauge(
      NVIDIA_GPU_POWER_LIMIT.name,
      instrumentOptions(NVIDIA_GPU_POWER_LIMIT),
    );
    this.processMemory = meter.createObservableGauge(
      NVIDIA_GPU_PROCESS_MEMORY_USAGE.name,
      instrumentOptions(NVIDIA_GPU_PROCESS_MEMORY_USAGE),
    );
    this.failures = meter.createObservableCounter(
      ML_GPU_COLLECTION_FAILURES.name,
      instrumentOptions(ML_GPU_COLLECTION_FAILURES),
    );
    this.exitCode = meter.createObservableGauge(
      ML_GPU_COLLECTION_EXIT_CODE.name,
      instrumentOptions(ML_GPU_COLLECTION_EXIT_CODE),
    );
    this.duration = meter.createHistogram(
      ML_GPU_COLLECTION_DURATION.name,
      instrumentOptions(ML_GPU_COLLECTION_DURATION),
    );
    this.processNames = new BoundedValues(ATTR_PROCESS_EXECUTABLE_NAME, MAX_PROCESS_NAMES, 128, warnings);
    const observables = [
      this.utilization,
      this.memoryUsage,
      this.memoryLimit,
      this.memoryUtilization,
      this.power,
      this.temperature,
      this.fan,
      this.errors,
      this.failures,
      this.exitCode,
      ...(extras.clocks ? [this.clock] : []),
      ...(extras.powerLimit ? [this.powerLimit] : []),
      ...(extras.processMemory ? [this.processMemory] : []),
    ];
    const callback = async (result: { observe: Observe }) => {
      const collection = await collect();
      if (collection.durationSeconds > 0 && collection.run !== this.lastRecordedRun) {
        // Several readers may share one run: its duration is recorded once.
        this.lastRecordedRun = collection.run;
        this.duration.record(collection.durationSeconds);
      }
      if (collection.ok)
        for (const device of collection.devices) this.observeDevice(result.observe.bind(result), device);
      for (const [reason, count] of failureCounts())
        result.observe(this.failures, count, { [ATTR_ERROR_TYPE]: reason });
      const code = lastExitCode();
      if (code !== undefined) result.observe(this.exitCode, code, {});
    };
    callbacks.observeBatch(callback as BatchObservableCallback, observables);
  }

  private observeDevice(observe: Observe, device: GpuDevice): void {
    // `hw.type=gpu`: the OTel hardware conventions require it on every `hw.*` metric.
    const attrs: Attributes = {
      [ATTR_HW_ID]: device.id,
      [ATTR_HW_TYPE]: 'gpu',
      [ATTR_HW_NAME]: device.name,
      [ATTR_HW_VENDOR]: 'NVIDIA',
    };
    if (device.model !== undefined) attrs[ATTR_HW_MODEL] = device.model;
    if (device.driverVersion !== undefined) attrs[ATTR_HW_DRIVER_VERSION] = device.driverVersion;
    const gauge = (observable: Observable, value: number | undefined, extra?: Attributes): void => {
      if (value !== undefined && Number.isFinite(value))
        observe(observable, value, extra ? { ...attrs, ...extra } : attrs);
    };
    const u = device.utilization;
    gauge(this.utilization, u.gpu, { [ATTR_HW_GPU_TASK]: 'general' });
    gauge(this.utilization, u.encoder, { [ATTR_HW_GPU_TASK]: 'encoder' });
    gauge(this.utilization, u.decoder, { [ATTR_HW_GPU_TASK]: 'decoder' });
    const { usedBytes, totalBytes } = device.memory;
    gauge(this.memoryUsage, usedBytes);
    gauge(this.memoryLimit, totalBytes);
    if (usedBytes !== undefined && totalBytes !== undefined && totalBytes > 0)
      gauge(this.memoryUtilization, usedBytes / totalBytes);
    gauge(this.power, device.powerDrawWatts);
    gauge(this.temperature, device.temperatureCelsius);
    gauge(this.fan, device.fanSpeedRatio);
    gauge(this.errors, device.ecc.correctedVolatile, { [ATTR_ERROR_TYPE]: 'corrected' });
    gauge(this.errors, device.ecc.uncorrectedVolatile, { [ATTR_ERROR_TYPE]: 'uncorrected' });
    if (this.extras.clocks) {
      const c = device.clocks;
      gauge(this.clock, c.graphics, { [ATTR_NVIDIA_GPU_CLOCK_TYPE]: 'graphics' });
      gauge(this.clock, c.sm, { [ATTR_NVIDIA_GPU_CLOCK_TYPE]: 'sm' });
      gauge(this.clock, c.memory, { [ATTR_NVIDIA_GPU_CLOCK_TYPE]: 'memory' });
      gauge(this.clock, c.video, { [ATTR_NVIDIA_GPU_CLOCK_TYPE]: 'video' });
    }
    if (this.extras.powerLimit) gauge(this.powerLimit, device.powerLimitWatts);
    if (this.extras.processMemory) {
      const byName = new Map<string, number>();
      for (const p of device.processes) {
        if (p.usedMemoryBytes === undefined || p.name === undefined) continue;
        const name = this.processNames.admit(executableName(p.name));
        if (name !== undefined) byName.set(name, (byName.get(name) ?? 0) + p.usedMemoryBytes);
      }
      for (const [name, bytes] of byName) gauge(this.processMemory, bytes, { [ATTR_PROCESS_EXECUTABLE_NAME]: name });
    }
  }
}

/** The executable's base name (`/usr/bin/python3` → `python3`, `C:\\x\\app.exe` → `app.exe`). */
export function executableName(path: string): string {
  return path.trim().split(/[\\/]/).pop() ?? '';
}
