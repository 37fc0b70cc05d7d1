// `mltel prices`: what the cost meter prices with. `list` the catalog, `lookup` one model (which
// entry matched and why), `write` a local price file from a LiteLLM price map file or URL.
import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_PRICES_DATE, MAX_CATALOG_AGE_DAYS, catalogAgeDays } from '@mltel/cost';
import type { CliIo } from '../io.js';
import { printable } from '../io.js';
import { buildCatalog, PriceSourceError, priceLocations } from './catalog.js';
import { listRows, matchesFilter, renderList } from './list.js';
import { renderLookup } from './lookup.js';
import { writePriceFile } from './write.js';

/** Exit codes of `mltel prices`. */
export const PRICES_EXIT = {
  ok: 0,
  /** `lookup`: the model has no price. */
  notPriced: 1,
  usage: 2,
  /** A price file or URL could not be read or held no valid price; or --out could not be written. */
  unreadable: 3,
} as const;

const HELP = `Usage: mltel prices <list|lookup|write> [options]

What the mltel cost meter prices calls with: the built-in catalog (dated ${DEFAULT_PRICES_DATE}),
then the price files of MLTEL_PRICES (or --prices), as the preload loads them.

  mltel prices list [--provider <p>] [--model <part>]
      every price: provider, model, first day, origin and rates (USD per 1M tokens, per image...)
  mltel prices lookup <provider> <model> [--at YYYY-MM-DD]
      the price a call would get, which entry matched and why (exact name, without a
      "provider/" prefix, without a date suffix), or the names tried
  mltel prices write --from <file|URL> --out <file> [--provider <p>]... [--force]
      a local price file (mltel's format, for MLTEL_PRICES) from a LiteLLM
      model_prices_and_context_window.json file or URL, e.g.
      https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json

Options:
  --prices <file|URL>   price files to load after the built-in ones (repeatable, or a comma
                        list; default: $MLTEL_PRICES)
  --timeout <ms>        give up a URL after this long, 1 to 600000 (default 10000)
  --json                list and lookup: print JSON
  -h, --help            this help

The built-in catalog is called stale after ${MAX_CATALOG_AGE_DAYS} days: then the preload logs one warning.

Exit codes: 0 done; 1 lookup found no price; 2 bad options; 3 a price file or URL could not be
read (or --out could not be written).
`;

type Values = {
  prices?: string[];
  provider?: string[];
  model?: string;
  at?: string;
  from?: string;
  out?: string;
  force?: boolean;
  timeout?: string;
  json?: boolean;
  help?: boolean;
};

function usageError(io: CliIo, message: string): number {
  io.stderr.write(`mltel prices: ${message}\n\nRun \`mltel prices --help\` for the options.\n`);
  return PRICES_EXIT.usage;
}

/** `mltel prices` (issue 18). */
export async function prices(args: string[], io: CliIo): Promise<number> {
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      options: {
        prices: { type: 'string', multiple: true },
        provider: { type: 'string', multiple: true },
        model: { type: 'string' },
        at: { type: 'string' },
        from: { type: 'string' },
        out: { type: 'string' },
        force: { type: 'boolean' },
        timeout: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    }));
  } catch (error) {
    return usageError(io, error instanceof Error ? error.message : String(error));
  }
  const [action, ...rest] = positionals;
  if (values.help || action === undefined) {
    io.stdout.write(HELP);
    return values.help ? PRICES_EXIT.ok : PRICES_EXIT.usage;
  }
  if (
    values.timeout !== undefined &&
    (!/^\d{1,6}$/.test(values.timeout) || Number(values.timeout) < 1 || Number(values.timeout) > 600_000)
  )
    return usageError(
      io,
      `--timeout must be a whole number of milliseconds from 1 to 600000, got "${printable(values.timeout, 64)}"`,
    );
  const timeoutMs = values.timeout === undefined ? undefined : Number(values.timeout);
  try {
    if (action === 'write') return await write(values, rest, io, timeoutMs);
    if (action === 'list' || action === 'lookup') {
      const contents = await buildCatalog(priceLocations(values.prices, io.env), timeoutMs);
      if (action === 'list') {
        if (rest.length > 0) return usageError(io, `list takes no arguments, got "${printable(rest.join(' '), 200)}"`);
        const filter = { provider: values.provider?.[0], model: values.model };
        if (values.json) {
          const entries = contents.entries.filter(({ entry }) => matchesFilter(entry, filter));
          io.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
        } else {
          io.stdout.write(renderList(listRows(contents, filter)));
          const age = catalogAgeDays();
          io.stdout.write(
            `Built-in catalog from ${DEFAULT_PRICES_DATE} (${age} days old${age > MAX_CATALOG_AGE_DAYS ? ': stale' : ''}).\n`,
          );
        }
        return PRICES_EXIT.ok;
      }
      if (rest.length !== 2)
        return usageError(io, 'lookup needs a provider and a model: mltel prices lookup openai gpt-4o');
      let at = Date.now();
      if (values.at !== undefined) {
        at = /^\d{4}-\d{2}-\d{2}$/.test(values.at) ? Date.parse(`${values.at}T12:00:00Z`) : Number.NaN;
        if (Number.isNaN(at))
          return usageError(io, `--at must be a date YYYY-MM-DD, got "${printable(values.at, 64)}"`);
      }
      const [provider, model] = rest as [string, string];
      const { text, found } = renderLookup(contents, provider, model, at);
      if (values.json) {
        const match = contents.catalog.lookup(provider, model, at);
        io.stdout.write(
          `${JSON.stringify(match === undefined ? null : { matched: match.matched, model: match.model, provider: match.price.provider, source: match.price.source, origin: match.price.origin }, null, 2)}\n`,
        );
      } else io.stdout.write(text);
      return found ? PRICES_EXIT.ok : PRICES_EXIT.notPriced;
    }
    return usageError(io, `unknown action "${printable(action, 64)}": use list, lookup or write`);
  } catch (error) {
    if (error instanceof PriceSourceError) {
      io.stderr.write(`mltel prices: ${printable(error.message, 1000)}\n`);
      return PRICES_EXIT.unreadable;
    }
    throw error;
  }
}

async function write(values: Values, rest: string[], io: CliIo, timeoutMs: number | undefined): Promise<number> {
  if (rest.length > 0) return usageError(io, `write takes no arguments, got "${printable(rest.join(' '), 200)}"`);
  if (values.from === undefined || values.out === undefined)
    return usageError(io, 'write needs --from <LiteLLM price map file or URL> and --out <file>');
  const from =
    /^https?:\/\//i.test(values.from) || isAbsolute(values.from) ? values.from : resolve(io.cwd, values.from);
  const out = resolve(io.cwd, values.out);
  try {
    const result = await writePriceFile(from, out, { providers: values.provider, force: values.force, timeoutMs });
    io.stdout.write(
      `Wrote ${result.written} prices of ${result.providers.length} providers (${result.providers.join(', ')}) to ${out}` +
        `${result.skipped > 0 ? `; ${result.skipped} invalid entries left out` : ''}.\n` +
        `Use it with MLTEL_PRICES=${out}\n`,
    );
    return PRICES_EXIT.ok;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'EEXIST') {
      io.stderr.write(`mltel prices: ${out} exists. Fix: pass --force to replace it, or another --out.\n`);
      return PRICES_EXIT.unreadable;
    }
    if (typeof code === 'string' && !(error instanceof PriceSourceError)) {
      io.stderr.write(
        `mltel prices: cannot write ${out}: ${printable(error instanceof Error ? error.message : String(error), 500)}\n`,
      );
      return PRICES_EXIT.unreadable;
    }
    throw error;
  }
}
