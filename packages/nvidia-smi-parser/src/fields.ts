// `--query-gpu` field names: the ones the records map, their aliases across driver versions, and
// field negotiation against what `--help-query-gpu` of the installed driver accepts.
import type { QueryField } from './types.js';

/**
 * The `--query-gpu` fields that parseQueryGpuCsv maps into GpuReading, in a sensible order to
 * pass to `--query-gpu=`. Other fields in a CSV are ignored.
 */
export const QUERY_GPU_FIELDS: readonly string[] = Object.freeze([
  'index',
  'uuid',
  'name',
  'pci.bus_id',
  'serial',
  'driver_version',
  'pstate',
  'memory.total',
  'memory.reserved',
  'memory.used',
  'memory.free',
  'utilization.gpu',
  'utilization.memory',
  'utilization.encoder',
  'utilization.decoder',
  'power.draw',
  'power.draw.average',
  'power.draw.instant',
  'enforced.power.limit',
  'power.limit',
  'temperature.gpu',
  'temperature.memory',
  'fan.speed',
  'ecc.errors.corrected.volatile.total',
  'ecc.errors.uncorrected.volatile.total',
  'ecc.errors.corrected.aggregate.total',
  'ecc.errors.uncorrected.aggregate.total',
  'clocks.current.graphics',
  'clocks.current.sm',
  'clocks.current.memory',
  'clocks.current.video',
  'mig.mode.current',
]);

/** The `--query-compute-apps` fields that parseComputeAppsCsv maps into GpuProcess. */
export const QUERY_COMPUTE_APPS_FIELDS: readonly string[] = Object.freeze([
  'gpu_uuid',
  'pid',
  'process_name',
  'used_gpu_memory',
]);

// Aliases printed by `--help-query-gpu` (driver 590: `"name" or "gpu_name"`), alias → name.
const ALIASES: Readonly<Record<string, string>> = {
  gpu_name: 'name',
  gpu_serial: 'serial',
  gpu_uuid: 'uuid',
  gpu_bus_id: 'pci.bus_id',
  'clocks.gr': 'clocks.current.graphics',
  'clocks.sm': 'clocks.current.sm',
  'clocks.mem': 'clocks.current.memory',
  'clocks.video': 'clocks.current.video',
  'gpu.power.draw.average': 'power.draw.average',
  'gpu.power.draw.instant': 'power.draw.instant',
  'gpu.power.requested_limit': 'power.limit',
  'gpu.power.current_limit': 'enforced.power.limit',
  'inforom.image': 'inforom.img',
  'inforom.power': 'inforom.pwr',
  'gpu_operation_mode.current': 'gom.current',
  'gpu_operation_mode.pending': 'gom.pending',
  'retired_pages.sbe': 'retired_pages.single_bit_ecc.count',
  'retired_pages.dbe': 'retired_pages.double_bit.count',
  'remapped_rows.sbe': 'remapped_rows.correctable',
  'remapped_rows.dbe': 'remapped_rows.uncorrectable',
};

// Renamed prefixes: drivers before 530 only know `clocks_throttle_reasons.*`; later ones call
// it `clocks_event_reasons.*` and keep the old name as an alias.
const PREFIX_RENAMES: ReadonlyArray<readonly [string, string]> = [
  ['clocks_throttle_reasons.', 'clocks_event_reasons.'],
];

/** `memory.used [MiB]` → `memory.used` (no regex: a header cell may be long garbage). */
function stripUnit(field: string): string {
  const f = field.trim();
  if (!f.endsWith(']')) return f;
  const open = f.lastIndexOf('[');
  return open > 0 ? f.slice(0, open).trim() : f;
}

/** The current name of a `--query-gpu` field (aliases and old names resolved, unit suffix removed). */
export function canonicalField(field: string): string {
  let f = stripUnit(field);
  // Object.hasOwn: a header cell called "constructor" must not find Object.prototype's.
  if (Object.hasOwn(ALIASES, f)) f = ALIASES[f]!;
  for (const [oldPrefix, newPrefix] of PREFIX_RENAMES) {
    if (f.startsWith(oldPrefix)) f = newPrefix + f.slice(oldPrefix.length);
  }
  return f;
}

// `--query-compute-apps` aliases (`"process_name" or "name"`, `"used_gpu_memory" or "used_memory"`).
const COMPUTE_APPS_ALIASES: Readonly<Record<string, string>> = { name: 'process_name', used_memory: 'used_gpu_memory' };

/** The current name of a `--query-compute-apps` field (alias resolved, unit suffix removed). */
export function canonicalComputeAppsField(field: string): string {
  const f = stripUnit(field);
  return Object.hasOwn(COMPUTE_APPS_ALIASES, f) ? COMPUTE_APPS_ALIASES[f]! : f;
}

/** Names under which a driver may know `field`: itself, its canonical name, older names. */
function equivalents(field: string): string[] {
  const out = new Set<string>([field, canonicalField(field)]);
  for (const [alias, name] of Object.entries(ALIASES)) {
    if (name === canonicalField(field)) out.add(alias);
  }
  for (const f of [...out]) {
    for (const [oldPrefix, newPrefix] of PREFIX_RENAMES) {
      if (f.startsWith(newPrefix)) out.add(oldPrefix + f.slice(newPrefix.length));
      if (f.startsWith(oldPrefix)) out.add(newPrefix + f.slice(oldPrefix.length));
    }
  }
  return [...out];
}

/** The result of {@link negotiateFields}. */
export interface FieldNegotiation {
  /** What to pass to `--query-gpu=`, in the order of `wanted` (unsupported ones left out). */
  fields: string[];
  /** For each sent field that differs from the wanted name: sent → wanted. */
  renamed: Record<string, string>;
  /** Wanted fields this driver does not know under any name: asking for them would fail the whole call. */
  unsupported: string[];
}

/**
 * Which of the `wanted` fields the driver whose `--help-query-gpu` gave `available` accepts, and
 * under which name (an old driver knows `clocks_throttle_reasons.active`, not
 * `clocks_event_reasons.active`). parseQueryGpuCsv maps old and new names alike.
 */
export function negotiateFields(wanted: readonly string[], available: readonly QueryField[]): FieldNegotiation {
  const known = new Set<string>();
  for (const f of available) {
    known.add(f.name);
    for (const a of f.aliases) known.add(a);
  }
  const fields: string[] = [];
  const renamed: Record<string, string> = {};
  const unsupported: string[] = [];
  const sent = new Set<string>();
  for (const w of wanted) {
    const name = known.has(w) ? w : equivalents(w).find((e) => known.has(e));
    if (name === undefined) {
      unsupported.push(w);
      continue;
    }
    if (sent.has(name)) continue;
    sent.add(name);
    fields.push(name);
    if (name !== w)
      Object.defineProperty(renamed, name, { value: w, enumerable: true, writable: true, configurable: true });
  }
  return { fields, renamed, unsupported };
}
