// Pure: the parser's readings (CSV or XML) plus the `-L` listing → the devices the metrics
// report, one per GPU and one per MIG instance.
import type { GpuProcess, GpuReading, ListedGpu, MigDeviceReading } from '@mltel/nvidia-smi-parser';
import type { GpuDevice } from './types.js';

/** The MIG identity `-L` gives, keyed by `<GPU UUID or index>/<MIG device index>`. */
export type MigNames = ReadonlyMap<string, { uuid?: string; profile?: string }>;

/** Keys of the MIG devices `-L` lists, by GPU UUID and by GPU index. */
export function migNamesOf(list: readonly ListedGpu[]): MigNames {
  const names = new Map<string, { uuid?: string; profile?: string }>();
  for (const gpu of list) {
    for (const mig of gpu.migDevices) {
      const value = { uuid: mig.uuid, profile: mig.profile };
      if (gpu.uuid !== undefined) names.set(`${gpu.uuid}/${mig.index}`, value);
      names.set(`#${gpu.index}/${mig.index}`, value);
    }
  }
  return names;
}

function processesOn(processes: readonly GpuProcess[], mig: MigDeviceReading | undefined): GpuProcess[] {
  if (mig === undefined) return processes.filter((p) => p.gpuInstanceId === undefined);
  return processes.filter(
    (p) =>
      p.gpuInstanceId === mig.gpuInstanceId &&
      (p.computeInstanceId === undefined ||
        mig.computeInstanceId === undefined ||
        p.computeInstanceId === mig.computeInstanceId),
  );
}

/**
 * One device per GPU, then one per MIG instance after its GPU. A GPU without a UUID gets
 * `GPU-index-<n>` (only in captures that lack the field). `unknownMig` is called for a MIG
 * device `-L` did not name (the layout changed since it ran).
 */
export function devicesOf(
  readings: readonly GpuReading[],
  migNames: MigNames,
  driverVersion?: string,
  unknownMig?: () => void,
): GpuDevice[] {
  const devices: GpuDevice[] = [];
  readings.forEach((gpu, position) => {
    const index = gpu.index ?? position;
    const id = gpu.uuid ?? `GPU-index-${index}`;
    const driver = gpu.driverVersion ?? driverVersion;
    devices.push({
      id,
      name: `GPU ${index}`,
      model: gpu.name,
      driverVersion: driver,
      index,
      memory: gpu.memory,
      utilization: gpu.utilization,
      powerDrawWatts: gpu.powerDrawWatts,
      powerLimitWatts: gpu.powerLimitWatts,
      temperatureCelsius: gpu.temperatureCelsius,
      fanSpeedRatio: gpu.fanSpeedRatio,
      ecc: gpu.ecc,
      clocks: gpu.clocks,
      processes: gpu.migDevices.length > 0 ? processesOn(gpu.processes, undefined) : gpu.processes,
    });
    gpu.migDevices.forEach((mig, migPosition) => {
      const migIndex = mig.index ?? migPosition;
      const listed =
        (gpu.uuid !== undefined ? migNames.get(`${gpu.uuid}/${migIndex}`) : undefined) ??
        migNames.get(`#${index}/${migIndex}`);
      if (listed === undefined && mig.uuid === undefined) unknownMig?.();
      const profile = mig.profile ?? listed?.profile;
      // Before R470 drivers named MIG devices `MIG-<GPU UUID>/<gi>/<ci>` (CUDA_VISIBLE_DEVICES
      // still accepts it): a stable id when neither the XML nor -L gives the MIG UUID.
      const migId =
        mig.uuid ?? listed?.uuid ?? `MIG-${id}/${mig.gpuInstanceId ?? migIndex}/${mig.computeInstanceId ?? 0}`;
      devices.push({
        id: migId,
        name: `GPU ${index} MIG ${migIndex}`,
        model:
          gpu.name === undefined ? undefined : profile === undefined ? `${gpu.name} MIG` : `${gpu.name} MIG ${profile}`,
        driverVersion: driver,
        index,
        migIndex,
        parentId: id,
        memory: mig.memory,
        utilization: {},
        ecc: {},
        clocks: {},
        processes: processesOn(gpu.processes, mig),
      });
    });
  });
  return devices;
}
