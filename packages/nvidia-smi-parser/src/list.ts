// `nvidia-smi -L` / `--list-gpus`, with the MIG devices listed under each GPU.
import { failureOrMalformed, notText } from './errors.js';
import type { GpuReading, ListedGpu } from './types.js';

// GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-63d1e50a-…). The name and UUID are split with
// indexOf, not a lazy regex, so a long garbage line cannot make it quadratic.
const GPU_HEAD = /^GPU\s+(\d+):/;
// "  MIG 3g.40gb     Device  0: (UUID: MIG-…)" (driver 470+);
// "  MIG 1g.5gb Device 0: (UUID: MIG-GPU-…/1/0)" (drivers 450-460).
const MIG_LINE = /^MIG\s+(\S+)\s+Device\s+(\d+):\s*(?:\(UUID:\s*([^)\s]*)\s*\))?\s*$/;

/** `-L` / `--list-gpus`. */
export function parseList(listText: string): ListedGpu[] {
  if (typeof listText !== 'string') throw notText(listText, 'nvidia-smi -L');
  const gpus: ListedGpu[] = [];
  for (const raw of listText.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.length === 0) continue;
    const g = GPU_HEAD.exec(line);
    if (g) {
      const index = Number(g[1]);
      if (!Number.isSafeInteger(index)) throw failureOrMalformed(listText, 'nvidia-smi -L');
      let name = line.slice(g[0].length).trim();
      let uuid: string | undefined;
      const at = name.lastIndexOf('(UUID:');
      if (at >= 0 && name.endsWith(')')) {
        uuid = name.slice(at + 6, -1).trim();
        name = name.slice(0, at).trim();
        if (uuid.length === 0 || /\s/.test(uuid)) throw failureOrMalformed(listText, 'nvidia-smi -L');
      }
      const gpu: ListedGpu = { index, name, migDevices: [] };
      if (uuid) gpu.uuid = uuid;
      gpus.push(gpu);
      continue;
    }
    const m = MIG_LINE.exec(line);
    const parent = gpus[gpus.length - 1];
    if (m && parent) {
      const index = Number(m[2]);
      if (!Number.isSafeInteger(index)) throw failureOrMalformed(listText, 'nvidia-smi -L');
      const mig: ListedGpu['migDevices'][number] = { index, profile: m[1]! };
      if (m[3]) mig.uuid = m[3];
      parent.migDevices.push(mig);
      continue;
    }
    // Anything else is a failure text ("No devices were found") or not -L output at all.
    throw failureOrMalformed(listText, 'nvidia-smi -L');
  }
  if (gpus.length === 0) throw failureOrMalformed(listText, 'nvidia-smi -L');
  return gpus;
}

/**
 * Fills in what `-L` knows and the other outputs lack, matching by GPU index: the UUID and the
 * full name for table readings (the table truncates names to `GeForce RTX 208...`), and the
 * UUID and profile of each MIG device (the XML before v13 and the table carry neither).
 * Returns new readings; the inputs are not changed.
 */
export function withListInfo(gpus: readonly GpuReading[], listed: readonly ListedGpu[]): GpuReading[] {
  const byIndex = new Map(listed.map((l) => [l.index, l]));
  return gpus.map((g) => {
    const l = g.index === undefined ? undefined : byIndex.get(g.index);
    if (!l) return g;
    const truncated = g.name === undefined || g.name.endsWith('...');
    return {
      ...g,
      uuid: g.uuid ?? l.uuid,
      name: truncated && l.name ? l.name : g.name,
      migDevices: g.migDevices.map((d) => {
        const m = l.migDevices.find((x) => x.index === d.index);
        return m ? { ...d, uuid: d.uuid ?? m.uuid, profile: d.profile ?? m.profile } : d;
      }),
    };
  });
}
