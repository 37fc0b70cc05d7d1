// Pure: the devices of one collection as a text table (one row per GPU and MIG instance).
import type { GpuDevice } from '@mltel/host-metrics-gpu';
import { printable } from '../io.js';

const MiB = 1048576;

function mib(bytes: number | undefined): string {
  return bytes === undefined ? '-' : String(Math.round(bytes / MiB));
}

function cellsOf(device: GpuDevice): string[] {
  const { usedBytes, totalBytes } = device.memory;
  const cells = [
    device.migIndex === undefined ? String(device.index ?? '-') : `${device.index ?? '-'}/${device.migIndex}`,
    device.id,
    device.model ?? '-',
    `${mib(usedBytes)} / ${mib(totalBytes)}`,
    device.utilization.gpu === undefined ? '-' : `${Math.round(device.utilization.gpu * 100)}%`,
    device.powerDrawWatts === undefined ? '-' : `${device.powerDrawWatts.toFixed(1)} W`,
    device.temperatureCelsius === undefined ? '-' : `${device.temperatureCelsius} C`,
  ];
  // The name and UUID are nvidia-smi's text: no control character reaches the terminal.
  return cells.map((c) => printable(c, 256));
}

const HEADER = ['GPU', 'UUID', 'NAME', 'MEMORY MiB (used / total)', 'UTIL', 'POWER', 'TEMP'];

/** The table, header first, columns padded to their widest cell; `-` where nvidia-smi gave no value. */
export function renderTable(devices: readonly GpuDevice[]): string {
  const rows = [HEADER, ...devices.map(cellsOf)];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return `${rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n')}\n`;
}
