// `nvidia-smi --help-query-gpu` (and --help-query-compute-apps, same layout): the fields the
// installed driver accepts, for field negotiation.
import { failureOrMalformed, notText } from './errors.js';
import type { QueryField } from './types.js';

const FIELD_LINE = /^"([^"]+)"((?:\s+or\s+"[^"]+")*)\s*$/;

/** `--help-query-gpu`: the fields this driver accepts (field negotiation). */
export function parseHelpQueryGpu(helpText: string): QueryField[] {
  if (typeof helpText !== 'string') throw notText(helpText, '--help-query-gpu');
  const fields: QueryField[] = [];
  let current: QueryField | undefined;
  for (const raw of helpText.split(/\r?\n/)) {
    const line = raw.trim();
    const m = FIELD_LINE.exec(line);
    if (m) {
      const aliases = [...(m[2] ?? '').matchAll(/"([^"]+)"/g)].map((a) => a[1]!);
      current = { name: m[1]!, aliases, description: '' };
      fields.push(current);
      continue;
    }
    if (line.length === 0 || line.startsWith('Section about')) {
      current = undefined;
      continue;
    }
    if (current) current.description = current.description ? `${current.description} ${line}` : line;
  }
  if (fields.length === 0) throw failureOrMalformed(helpText, '--help-query-gpu');
  return fields;
}
