// A small YAML writer for the files `mltel init` generates (rules, configs): maps, lists,
// strings, numbers and booleans. A string YAML could read as something else is quoted the way
// Biome formats YAML (double quotes, JSON-escaped; single quotes when the string holds a double
// quote and no single one), so `biome check` leaves generated files alone; a string with a newline
// becomes a literal block.

/** A value the writer accepts. */
export type YamlValue = string | number | boolean | null | readonly YamlValue[] | { readonly [key: string]: YamlValue };

const PLAIN = /^[A-Za-z_/.][A-Za-z0-9_ ./:-]*$/;
const RESERVED = /^(true|false|yes|no|on|off|null|y|n|~)$/i;

function scalar(value: string | number | boolean | null): string {
  if (value === null) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`YAML: cannot write the number ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  if (PLAIN.test(value) && !RESERVED.test(value) && !value.endsWith(' ') && !value.includes(': ')) return value;
  // Biome's YAML style: double quotes, single ones when that saves escaping a double quote.
  const control = [...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
  if (value.includes('"') && !value.includes("'") && !control) return `'${value}'`;
  return JSON.stringify(value);
}

function key(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name) && !RESERVED.test(name) ? name : JSON.stringify(name);
}

function block(value: YamlValue, indent: string): string[] {
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${indent}[]`];
    const lines: string[] = [];
    for (const item of value as readonly YamlValue[]) {
      const inner = block(item, `${indent}  `);
      const first = inner[0]!.slice(indent.length + 2);
      lines.push(`${indent}- ${first}`, ...inner.slice(1));
    }
    return lines;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as { readonly [key: string]: YamlValue });
    if (entries.length === 0) return [`${indent}{}`];
    const lines: string[] = [];
    for (const [name, item] of entries) {
      if (typeof item === 'string' && item.includes('\n')) {
        lines.push(`${indent}${key(name)}: |-`, ...item.split('\n').map((line) => `${indent}  ${line}`.trimEnd()));
      } else if (item !== null && typeof item === 'object' && !(Array.isArray(item) && item.length === 0)) {
        if (Object.keys(item).length === 0) lines.push(`${indent}${key(name)}: {}`);
        else lines.push(`${indent}${key(name)}:`, ...block(item, `${indent}  `));
      } else {
        lines.push(
          `${indent}${key(name)}: ${Array.isArray(item) ? '[]' : scalar(item as string | number | boolean | null)}`,
        );
      }
    }
    return lines;
  }
  return [`${indent}${scalar(value as string | number | boolean | null)}`];
}

/** Writes a value as a YAML document ending in a newline. */
export function toYaml(value: YamlValue): string {
  return `${block(value, '').join('\n')}\n`;
}
