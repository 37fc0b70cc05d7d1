#!/usr/bin/env node
// Writes packages/cost/src/prices/default-prices-current.ts, the current part of mltel's built-in
// price catalog, and default-prices-current-info.ts, its source and date, from the price data of @pydantic/genai-prices (a devDependency of @mltel/cost,
// pinned: the data is that version's). Each entry names the provider's pricing page it comes from
// and the genai-prices model it was read from. `--check` exits 1 when the file differs from what
// this script would write (the unit test of the file runs it). The source and date are a file of
// their own: they are read at start-up (the catalog's age), the prices only at the first lookup.
//
// Why genai-prices and not LiteLLM's map: LiteLLM's model_prices_and_context_window.json is only
// reachable here at commit 19a1f62 (October 2025; default-prices-litellm.ts keeps what was copied
// from it, with its per-image, per-second and per-character media prices); genai-prices is a
// maintained open price database published to npm, whose entries cite the providers' pages.
//
// Usage: node scripts/gen-default-prices.mjs [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const costDir = join(root, 'packages/cost');
const require = createRequire(join(costDir, 'package.json'));
const Big = require('big.js');
const genaiPricesEntry = require.resolve('@pydantic/genai-prices');
// The package exports no ./package.json: read it beside its dist/ folder.
const genaiPricesPackage = JSON.parse(readFileSync(join(dirname(genaiPricesEntry), '..', 'package.json'), 'utf8'));
const { findProvider } = await import(pathToFileURL(genaiPricesEntry).href);
const OUT = join(costDir, 'src/prices/default-prices-current.ts');
const OUT_INFO = join(costDir, 'src/prices/default-prices-current-info.ts');

/** The date genai-prices 0.1.8 was published to npm: the date of the catalog's prices. */
export const DATA_DATE = '2026-09-23';

// genai-prices provider → gen_ai.provider.name values, and which of its models are taken: all
// but the fine-tuned and `:free` ones. Deprecated and legacy models are kept: a provider bills
// them for as long as it serves them (mistral-tiny, gpt-3.5-turbo-instruct on the legacy
// completions endpoint, gpt-4-turbo), and the price of one no longer served is never used.
const PROVIDERS = [
  { id: 'openai', names: ['openai'] },
  { id: 'anthropic', names: ['anthropic'] },
  { id: 'google', names: ['gcp.gemini', 'gcp.vertex_ai'], only: /^(gemini|gemma|imagen|veo)/ },
  { id: 'google', names: ['gcp.vertex_ai'], only: /^claude/ },
  { id: 'aws', names: ['aws.bedrock'], only: /(anthropic|meta|amazon|mistral|cohere|deepseek)\./ },
  { id: 'azure', names: ['azure.ai.openai'], only: /^(o\d|gpt|text-embedding)/ },
  { id: 'mistral', names: ['mistral_ai'] },
  { id: 'cohere', names: ['cohere'] },
  { id: 'groq', names: ['groq'] },
  { id: 'deepseek', names: ['deepseek'] },
  { id: 'x-ai', names: ['x_ai'] },
  { id: 'perplexity', names: ['perplexity'] },
];

// genai-prices price keys (per million tokens, per thousand requests) → mltel rates. Not taken
// over: cached and output audio-token rates, image- and video-token rates, web and storage
// searches (mltel's usage has no such counts).
const RATE_OF = {
  input_mtok: ['input', 1_000_000],
  output_mtok: ['output', 1_000_000],
  cache_read_mtok: ['cacheRead', 1_000_000],
  cache_write_mtok: ['cacheWrite', 1_000_000],
  output_reasoning_mtok: ['reasoning', 1_000_000],
  input_audio_mtok: ['audioInput', 1_000_000],
  requests_kcount: ['request', 1_000],
};
const TIERED = new Set(['input', 'output', 'cacheRead', 'cacheWrite', 'reasoning']);

const exact = (value, per) => new Big(String(value)).div(per).toFixed();

// The model names a genai-prices model answers to: its id, and the names in its match rules
// (`equals`, and the stems of `starts_with` / `ends_with` / `contains`, which mltel's lookup
// reaches by dropping a date suffix: `claude-sonnet-4-5-20250929` → `claude-sonnet-4-5`).
function namesOf(match, id) {
  const names = new Set([id]);
  const visit = (m) => {
    if (m === undefined) return;
    for (const kind of ['equals', 'starts_with', 'ends_with', 'contains']) {
      if (typeof m[kind] === 'string') names.add(m[kind].replace(/[-@.]+$/, ''));
    }
    for (const sub of [...(m.or ?? []), ...(m.and ?? [])]) visit(sub);
  };
  visit(match);
  return [...names].filter((name) => name !== '' && !name.includes(':free') && !name.startsWith('ft:'));
}

function ratesOf(prices) {
  const rates = {};
  const tiers = new Map();
  for (const [key, value] of Object.entries(prices)) {
    const rate = RATE_OF[key];
    if (rate === undefined || value === undefined) continue;
    const [name, per] = rate;
    if (typeof value === 'number') {
      if (value > 0) rates[name] = exact(value, per);
      continue;
    }
    if (value.base > 0) rates[name] = exact(value.base, per);
    if (!TIERED.has(name)) continue;
    for (const tier of value.tiers ?? []) {
      const entry = tiers.get(tier.start) ?? { aboveInputTokens: tier.start };
      entry[name] = exact(tier.price, per);
      tiers.set(tier.start, entry);
    }
  }
  const sorted = [...tiers.values()].sort((a, b) => a.aboveInputTokens - b.aboveInputTokens);
  return { rates, tiers: sorted };
}

// A model's prices: one set, or several from start dates on (`effectiveFrom`). Prices that
// depend on the time of day (off-peak discounts) are left out: the standard price is kept.
function pricePeriods(prices) {
  if (!Array.isArray(prices)) return [{ prices }];
  const periods = [];
  for (const { constraint, prices: p } of prices) {
    if (constraint === undefined) periods.push({ prices: p });
    else if ('start_date' in constraint && !('start_time' in constraint))
      periods.push({ prices: p, effectiveFrom: constraint.start_date.slice(0, 10) });
  }
  return periods;
}

function entries() {
  const result = [];
  const seen = new Set();
  for (const { id, names, only } of PROVIDERS) {
    const provider = findProvider({ providerId: id });
    if (provider === undefined) throw new Error(`genai-prices has no provider ${id}`);
    const page = provider.pricing_urls?.[0] ?? 'https://github.com/pydantic/genai-prices';
    for (const model of provider.models) {
      if (model.id.includes(':free')) continue;
      if (only !== undefined && !only.test(model.id)) continue;
      for (const period of pricePeriods(model.prices)) {
        const { rates, tiers } = ratesOf(period.prices);
        if (Object.keys(rates).length === 0) continue;
        for (const name of namesOf(model.match, model.id)) {
          for (const providerName of names) {
            const key = `${providerName}\u0000${name}\u0000${period.effectiveFrom ?? ''}`;
            if (seen.has(key)) continue;
            seen.add(key);
            result.push({
              provider: providerName,
              model: name,
              ...(period.effectiveFrom === undefined ? {} : { effectiveFrom: period.effectiveFrom }),
              ...rates,
              ...(tiers.length > 0 ? { tiers } : {}),
              source: `${page} (genai-prices ${genaiPricesPackage.version}: ${provider.id}/${model.id})`,
            });
          }
        }
      }
    }
  }
  return result;
}

const HEADER = [
  '// Generated by scripts/gen-default-prices.mjs from @pydantic/genai-prices ' +
    `${genaiPricesPackage.version} (published ${DATA_DATE}); do not edit by hand.`,
];

function render(list) {
  const lines = [
    ...HEADER,
    '// Each rate is USD per token (or per request) as an exact decimal string; zero rates are left out.',
    "import type { PriceEntry } from './types.js';",
    '',
    '/** Prices of the models of the major providers (deprecated and legacy ones included), keyed by `gen_ai.provider.name` and model. */',
    `export const CURRENT_PRICES: readonly PriceEntry[] = ${JSON.stringify(list, null, 2)};`,
    '',
  ];
  return lines.join('\n');
}

function renderInfo() {
  const lines = [
    ...HEADER,
    '// Read at start-up (the age of the catalog); the prices themselves are in default-prices-current.ts.',
    '',
    '/** Where the current part of the built-in catalog comes from. */',
    `export const CURRENT_PRICES_SOURCE = 'https://www.npmjs.com/package/@pydantic/genai-prices/v/${genaiPricesPackage.version}';`,
    '',
    '/** The day the current prices were published (UTC, YYYY-MM-DD): the age of the built-in catalog. */',
    `export const CURRENT_PRICES_DATE = '${DATA_DATE}';`,
    '',
  ];
  return lines.join('\n');
}

const files = [
  [OUT, render(entries())],
  [OUT_INFO, renderInfo()],
];
if (process.argv.includes('--check')) {
  for (const [path, text] of files) {
    let current = '';
    try {
      current = readFileSync(path, 'utf8');
    } catch {}
    if (current !== text) {
      console.error(`${path} is not what scripts/gen-default-prices.mjs writes: run it and commit the result.`);
      process.exit(1);
    }
  }
} else {
  for (const [path, text] of files) {
    writeFileSync(path, text);
    console.log(`wrote ${path}`);
  }
}
