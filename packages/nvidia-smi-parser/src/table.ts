// The plain `nvidia-smi` table (no arguments). Some hosts only give us that (or a user pastes
// it); it is also the only capture of the 8-GPU driver-418 host with the `ERR%` fan. Layouts:
// driver 418 (no MIG column), 450+ (a third line per GPU with `MIG M.`, a "MIG devices" block,
// GI/CI columns in the process list), 610 (`KMD Version`, `Driver-Model`).
import { failureOrMalformed, notText } from './errors.js';
import type { GpuProcess, GpuReading, MigDeviceReading } from './types.js';
import { enabled, integer, quantity, text } from './values.js';

/** What the plain `nvidia-smi` table shows. Names may be truncated (`GeForce RTX 208...`); UUIDs are absent (see withListInfo). */
export interface TableReport {
  timestamp?: string;
  driverVersion?: string;
  cudaVersion?: string;
  gpus: GpuReading[];
}

const BUS_ID = /\b([0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\.[0-9A-Fa-f])\b/;
const MODES = new Set(['On', 'Off', 'N/A', 'WDDM', 'TCC', 'MCDM']);
// Real rows are under 100 characters; longer ones are not tried (PROCESS_ROW's lazy name group
// would cost time quadratic in the length).
const MAX_PROCESS_ROW = 512;
const PROCESS_ROW = /^(\d+)\s+(?:(N\/A|\d+)\s+(N\/A|\d+)\s+)?(\d+)\s+(\S+)\s+(.*?)\s+(N\/A|\d+\s*[KMG]iB)$/;

function cells(line: string): string[] {
  const parts = line.split('|');
  return parts.slice(1, parts.length - 1);
}

/** Blocks of `|` lines between `+---` separators, from `start` until the first line that is neither. */
function blocks(lines: string[], start: number): { blocks: string[][]; end: number } {
  const out: string[][] = [];
  let cur: string[] = [];
  let i = start;
  for (; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l.startsWith('+')) {
      if (cur.length > 0) out.push(cur);
      cur = [];
      continue;
    }
    if (!l.startsWith('|')) break;
    cur.push(l);
  }
  if (cur.length > 0) out.push(cur);
  return { blocks: out, end: i };
}

function findRule(lines: string[], from: number): number {
  for (let i = from; i < lines.length; i++) if (lines[i]!.trim().startsWith('|=')) return i;
  return -1;
}

function gpuFromBlock(block: string[]): GpuReading | undefined {
  const [l0, l1, l2] = block.map(cells);
  // Cells are trimmed before matching and the last word is split off with lastIndexOf: no lazy
  // regex, so a long garbage row cannot make matching quadratic.
  const idName = /^(\d+)\s+(.*)$/.exec((l0?.[0] ?? '').trim());
  if (!idName) return undefined;
  // The last word of the first cell is Persistence-M (On/Off) or, on 610+/Windows, the driver model.
  let name = idName[2] ?? '';
  const cut = Math.max(name.lastIndexOf(' '), name.lastIndexOf('\t'));
  if (cut > 0 && MODES.has(name.slice(cut + 1))) name = name.slice(0, cut).trim();
  const gpu: GpuReading = {
    index: integer(idName[1]),
    name: text(name),
    pciBusId: BUS_ID.exec(l0?.[1] ?? '')?.[1],
    memory: {},
    utilization: {},
    ecc: { uncorrectedVolatile: integer(l0?.[2]?.trim()) },
    clocks: {},
    migDevices: [],
    processes: [],
  };
  if (l1) {
    // "  0%   80C    P2    74W / 250W" or "ERR%   37C    P8    20W / 250W" or "N/A   52C    P0   432W /  700W"
    const t = (l1[0] ?? '').split(/\s+/).filter((x) => x.length > 0 && x !== '/');
    gpu.fanSpeedRatio = quantity(t[0], 'ratio');
    gpu.temperatureCelsius = quantity(t[1], 'celsius');
    gpu.performanceState = /^P\d{1,2}$/.test(t[2] ?? '') ? t[2] : undefined;
    gpu.powerDrawWatts = quantity(t[3], 'watts');
    gpu.powerLimitWatts = quantity(t[4], 'watts');
    const mem = /^\s*(\S+)\s*\/\s*(\S+)\s*$/.exec(l1[1] ?? '');
    gpu.memory = { usedBytes: quantity(mem?.[1], 'bytes'), totalBytes: quantity(mem?.[2], 'bytes') };
    gpu.utilization = { gpu: quantity((l1[2] ?? '').trim().split(/\s+/)[0], 'ratio') };
  }
  if (l2) gpu.migEnabled = enabled(l2[2]);
  return gpu;
}

function migFromBlock(block: string[]): { gpu: number; mig: MigDeviceReading } | undefined {
  const [l0] = block.map(cells);
  const ids = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/.exec(l0?.[0] ?? '');
  if (!ids) return undefined;
  const mem = /^\s*(\S+)\s*\/\s*(\S+)\s*$/.exec(l0?.[1] ?? '');
  return {
    gpu: Number(ids[1]),
    mig: {
      index: integer(ids[4]),
      gpuInstanceId: integer(ids[2]),
      computeInstanceId: integer(ids[3]),
      memory: { usedBytes: quantity(mem?.[1], 'bytes'), totalBytes: quantity(mem?.[2], 'bytes') },
      multiprocessorCount: integer((l0?.[2] ?? '').trim().split(/\s+/)[0]),
    },
  };
}

/** The plain `nvidia-smi` table. */
export function parseTable(tableText: string): TableReport {
  if (typeof tableText !== 'string') throw notText(tableText, 'nvidia-smi table');
  if (!/NVIDIA-SMI \S+/.test(tableText)) throw failureOrMalformed(tableText, 'nvidia-smi table');
  const lines = tableText.split(/\r?\n/);
  const report: TableReport = { gpus: [] };
  const headerLine = lines.find((l) => l.includes('NVIDIA-SMI')) ?? '';
  report.driverVersion = /(?:Driver|KMD) Version:\s*([\w.-]+)/.exec(headerLine)?.[1];
  report.cudaVersion = /CUDA (?:UMD )?Version:\s*([\w.-]+)/.exec(headerLine)?.[1];
  const first = lines.find((l) => l.trim().length > 0)?.trim();
  if (first && !first.startsWith('+') && !first.startsWith('|')) report.timestamp = first;

  const busIdHeader = lines.findIndex((l) => l.includes('Bus-Id'));
  const gpuRule = busIdHeader >= 0 ? findRule(lines, busIdHeader) : -1;
  let pos = 0;
  if (gpuRule >= 0) {
    const b = blocks(lines, gpuRule + 1);
    pos = b.end;
    for (const block of b.blocks) {
      const gpu = gpuFromBlock(block);
      if (gpu) report.gpus.push(gpu);
    }
  }
  const byIndex = new Map(report.gpus.map((g) => [g.index, g]));
  const migHeader = lines.findIndex((l, i) => i >= pos && l.includes('MIG devices:'));
  if (migHeader >= 0) {
    const rule = findRule(lines, migHeader);
    if (rule >= 0) {
      for (const block of blocks(lines, rule + 1).blocks) {
        const m = migFromBlock(block);
        if (m) byIndex.get(m.gpu)?.migDevices.push(m.mig);
      }
    }
  }
  const procHeader = lines.findIndex((l, i) => i >= pos && l.includes('Processes:'));
  if (procHeader >= 0) {
    const rule = findRule(lines, procHeader);
    if (rule >= 0) {
      for (const block of blocks(lines, rule + 1).blocks) {
        for (const row of block) {
          if (row.length > MAX_PROCESS_ROW) continue;
          const m = PROCESS_ROW.exec(row.replace(/^\|/, '').replace(/\|$/, '').trim());
          if (!m) continue; // "No running processes found"
          const p: GpuProcess = {
            pid: integer(m[4]),
            type: text(m[5]),
            name: text(m[6]),
            usedMemoryBytes: quantity(m[7]?.replace(/\s+/g, ''), 'bytes'),
            gpuInstanceId: integer(m[2]),
            computeInstanceId: integer(m[3]),
          };
          byIndex.get(integer(m[1]))?.processes.push(p);
        }
      }
    }
  }
  if (report.gpus.length === 0) throw failureOrMalformed(tableText, 'nvidia-smi table');
  return report;
}
