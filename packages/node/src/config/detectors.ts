// OTEL_NODE_RESOURCE_DETECTORS: which resource detectors run, read as @opentelemetry/sdk-node reads
// it (a comma list of env, host, os, process, serviceinstance; `all`; `none`).
import { describeText } from '@mltel/kit';
import type { ConfigProblem, ResourceDetectorName, ResourceDetectorSetting } from './types.js';

/** The detectors `OTEL_NODE_RESOURCE_DETECTORS` can name (sdk-node's names). */
export const RESOURCE_DETECTOR_NAMES: readonly ResourceDetectorName[] = [
  'env',
  'host',
  'os',
  'process',
  'serviceinstance',
];

const SETTING = 'OTEL_NODE_RESOURCE_DETECTORS';

/**
 * Reads `OTEL_NODE_RESOURCE_DETECTORS`. `all` wins over everything, then `none` (as in sdk-node);
 * an unknown name is left out with a problem naming the known ones.
 */
export function parseResourceDetectors(raw: string | undefined, problems: ConfigProblem[]): ResourceDetectorSetting {
  if (raw === undefined) return 'default';
  const names = raw
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  if (names.includes('all')) return [...RESOURCE_DETECTOR_NAMES];
  if (names.includes('none')) return [];
  const out: ResourceDetectorName[] = [];
  for (const name of names) {
    if ((RESOURCE_DETECTOR_NAMES as readonly string[]).includes(name)) {
      if (!out.includes(name as ResourceDetectorName)) out.push(name as ResourceDetectorName);
      continue;
    }
    problems.push({
      setting: SETTING,
      message:
        `${SETTING} names ${describeText(name)}, which is not a resource detector; it is left out. ` +
        `Fix: use a comma list of ${RESOURCE_DETECTOR_NAMES.join(', ')}, or all, or none.`,
    });
  }
  return out;
}

/** True when the setting runs the `env` detector (`OTEL_RESOURCE_ATTRIBUTES`). */
export function detectsEnv(setting: ResourceDetectorSetting): boolean {
  return setting === 'default' || setting.includes('env');
}
