// `nvidia-smi -q -x`: DTD v11 (`power_readings`), v12 (`gpu_power_readings`; on driver 570 only
// `average_power_draw`/`instant_power_draw`), v13 (split SRAM ECC counters), and older files
// without a DOCTYPE. fast-xml-parser does the XML; this module maps the tree to records.
import { XMLParser } from 'fast-xml-parser';
import { NvidiaSmiError, failureOrMalformed, notText } from './errors.js';
import type { EccReading, GpuProcess, GpuReading, MigDeviceReading, XmlReport } from './types.js';
import { enabled, integer, quantity, text } from './values.js';

type Node = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // Keep every value as text: "0000" serials and "12.8" versions must not become numbers.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // Decode &amp; &lt; … (process names); nvidia-smi's DOCTYPE only names an external DTD, so
  // inline entity definitions are capped hard against expansion bombs.
  processEntities: { enabled: true, maxEntityCount: 16, maxEntitySize: 256, maxExpandedLength: 10_000 },
  isArray: (name) => name === 'gpu' || name === 'mig_device' || name === 'process_info',
});

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Child element `path` of `node`, or undefined. */
function child(node: unknown, ...path: string[]): unknown {
  let cur: unknown = node;
  for (const p of path) {
    if (!isNode(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

/** Text of the element at `path` (undefined when missing, or when it has child elements). */
function str(node: unknown, ...path: string[]): string | undefined {
  const v = child(node, ...path);
  if (typeof v === 'string') return v;
  if (isNode(v) && typeof v['#text'] === 'string') return v['#text'];
  return undefined;
}

function list(node: unknown, ...path: string[]): Node[] {
  const v = child(node, ...path);
  if (Array.isArray(v)) return v.filter(isNode);
  return isNode(v) ? [v] : [];
}

/** Sum of the counters whose name `pick` selects; undefined when none has a value. */
function sumCounters(node: unknown, pick: (name: string) => boolean): number | undefined {
  if (!isNode(node)) return undefined;
  let total: number | undefined;
  for (const [name, value] of Object.entries(node)) {
    if (!pick(name) || typeof value !== 'string') continue;
    const n = integer(value);
    if (n !== undefined) total = (total ?? 0) + n;
  }
  return total;
}

function eccCounts(node: unknown): { corrected?: number; uncorrected?: number } {
  if (!isNode(node)) return {};
  // Before v11: <volatile><single_bit>…<total>…</single_bit><double_bit>…<total>…</double_bit>.
  if (isNode(node['single_bit']) || isNode(node['double_bit'])) {
    return {
      corrected: integer(str(node, 'single_bit', 'total')),
      uncorrected: integer(str(node, 'double_bit', 'total')),
    };
  }
  // v11/v12: sram_correctable, sram_uncorrectable, dram_correctable, dram_uncorrectable.
  // v13: sram_uncorrectable split into sram_uncorrectable_parity + sram_uncorrectable_secded.
  return {
    corrected: sumCounters(node, (n) => n.endsWith('_correctable') && !n.includes('uncorrectable')),
    uncorrected: sumCounters(node, (n) => /_uncorrectable(?:_parity|_secded)?$/.test(n)),
  };
}

function ecc(gpu: Node): EccReading {
  const v = eccCounts(child(gpu, 'ecc_errors', 'volatile'));
  const a = eccCounts(child(gpu, 'ecc_errors', 'aggregate'));
  return {
    correctedVolatile: v.corrected,
    uncorrectedVolatile: v.uncorrected,
    correctedAggregate: a.corrected,
    uncorrectedAggregate: a.uncorrected,
  };
}

function memory(node: unknown): GpuReading['memory'] {
  return {
    totalBytes: quantity(str(node, 'total'), 'bytes'),
    usedBytes: quantity(str(node, 'used'), 'bytes'),
    freeBytes: quantity(str(node, 'free'), 'bytes'),
    reservedBytes: quantity(str(node, 'reserved'), 'bytes'),
  };
}

function migDevice(node: Node): MigDeviceReading {
  return {
    index: integer(str(node, 'index')),
    gpuInstanceId: integer(str(node, 'gpu_instance_id')),
    computeInstanceId: integer(str(node, 'compute_instance_id')),
    uuid: text(str(node, 'uuid')),
    memory: memory(child(node, 'fb_memory_usage')),
    multiprocessorCount: integer(str(node, 'device_attributes', 'shared', 'multiprocessor_count')),
  };
}

function process(node: Node, gpuUuid: string | undefined): GpuProcess {
  return {
    pid: integer(str(node, 'pid')),
    name: text(str(node, 'process_name')),
    type: text(str(node, 'type')),
    usedMemoryBytes: quantity(str(node, 'used_memory'), 'bytes'),
    gpuInstanceId: integer(str(node, 'gpu_instance_id')),
    computeInstanceId: integer(str(node, 'compute_instance_id')),
    gpuUuid,
  };
}

function gpuReading(node: Node, position: number, driverVersion: string | undefined): GpuReading {
  // v11 and older: <power_readings>; v12+: <gpu_power_readings> (+ module/memory readings).
  const power = child(node, 'gpu_power_readings') ?? child(node, 'power_readings');
  const uuid = text(str(node, 'uuid'));
  return {
    // The XML has no index; nvidia-smi lists GPUs in index order, so the position is the index.
    index: position,
    minorNumber: integer(str(node, 'minor_number')),
    uuid,
    name: text(str(node, 'product_name')),
    pciBusId: text(str(node, '@_id')) ?? text(str(node, 'pci', 'pci_bus_id')),
    serial: text(str(node, 'serial')),
    driverVersion,
    memory: memory(child(node, 'fb_memory_usage')),
    utilization: {
      gpu: quantity(str(node, 'utilization', 'gpu_util'), 'ratio'),
      memory: quantity(str(node, 'utilization', 'memory_util'), 'ratio'),
      encoder: quantity(str(node, 'utilization', 'encoder_util'), 'ratio'),
      decoder: quantity(str(node, 'utilization', 'decoder_util'), 'ratio'),
    },
    powerDrawWatts:
      quantity(str(power, 'power_draw'), 'watts') ??
      quantity(str(power, 'average_power_draw'), 'watts') ??
      quantity(str(power, 'instant_power_draw'), 'watts'),
    powerLimitWatts:
      quantity(str(power, 'enforced_power_limit'), 'watts') ??
      quantity(str(power, 'current_power_limit'), 'watts') ??
      quantity(str(power, 'power_limit'), 'watts'),
    temperatureCelsius: quantity(str(node, 'temperature', 'gpu_temp'), 'celsius'),
    memoryTemperatureCelsius: quantity(str(node, 'temperature', 'memory_temp'), 'celsius'),
    fanSpeedRatio: quantity(str(node, 'fan_speed'), 'ratio'),
    ecc: ecc(node),
    clocks: {
      graphics: quantity(str(node, 'clocks', 'graphics_clock'), 'hertz'),
      sm: quantity(str(node, 'clocks', 'sm_clock'), 'hertz'),
      memory: quantity(str(node, 'clocks', 'mem_clock'), 'hertz'),
      video: quantity(str(node, 'clocks', 'video_clock'), 'hertz'),
    },
    performanceState: text(str(node, 'performance_state')),
    migEnabled: enabled(str(node, 'mig_mode', 'current_mig')),
    migDevices: list(node, 'mig_devices', 'mig_device').map(migDevice),
    processes: list(node, 'processes', 'process_info').map((p) => process(p, uuid)),
  };
}

/** `-q -x`: schemas v11, v12, v13 (and older files with no DOCTYPE). */
export function parseXml(xml: string): XmlReport {
  if (typeof xml !== 'string') throw notText(xml, 'nvidia-smi -q -x XML');
  if (!xml.includes('<nvidia_smi_log')) throw failureOrMalformed(xml, 'nvidia-smi -q -x XML');
  // A run killed mid-output (timeout) leaves a truncated document; fast-xml-parser would accept
  // it and return half a GPU, so require the closing tag.
  if (!/<\/nvidia_smi_log>\s*$/.test(xml))
    throw new NvidiaSmiError('malformed', 'truncated XML: no closing </nvidia_smi_log>', xml);
  let doc: unknown;
  try {
    doc = parser.parse(xml);
  } catch (err) {
    throw new NvidiaSmiError(
      'malformed',
      `invalid XML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
      xml,
    );
  }
  const log = child(doc, 'nvidia_smi_log');
  if (!isNode(log)) throw failureOrMalformed(xml, 'nvidia-smi -q -x XML');
  const dtd = /nvsmi_device_v(\d+)\.dtd/.exec(xml.slice(0, 500));
  const driverVersion = text(str(log, 'driver_version'));
  return {
    schemaVersion: dtd ? Number(dtd[1]) : undefined,
    timestamp: text(str(log, 'timestamp')),
    driverVersion,
    cudaVersion: text(str(log, 'cuda_version')),
    attachedGpus: integer(str(log, 'attached_gpus')),
    gpus: list(log, 'gpu').map((g, i) => gpuReading(g, i, driverVersion)),
  };
}
