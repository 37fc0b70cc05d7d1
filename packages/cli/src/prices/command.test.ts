// `mltel prices` in-process through main(), against the real LiteLLM excerpt of the cost package,
// a local HTTP server serving it, and the built-in catalog.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../test/memory-io.js';
import { main } from '../main.js';
import { PRICES_EXIT } from './command.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const LITELLM = join(ROOT, 'packages/cost/test/fixtures/litellm/model_prices_subset.json');
const dir = mkdtempSync(join(tmpdir(), 'mltel-prices-cli-'));
let server: ReturnType<typeof createServer>;
let url: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/prices.json') response.end(readFileSync(LITELLM));
    else response.writeHead(404).end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://user:secret@127.0.0.1:${(server.address() as AddressInfo).port}/prices.json`;
});
afterAll(async () => {
  await new Promise((done) => server.close(done));
  rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const { io, stdout, stderr } = memoryIo(dir, { env });
  const code = await main(['prices', ...args], io);
  return { code, stdout: stdout(), stderr: stderr() };
}

describe('mltel prices', () => {
  it('lists the built-in prices of a provider, in USD per million tokens, with the catalog date', async () => {
    const { code, stdout } = await run(['list', '--provider', 'openai', '--model', 'gpt-5.4']);
    expect(code).toBe(PRICES_EXIT.ok);
    expect(stdout).toMatch(/^PROVIDER\s+MODEL\s+FROM\s+ORIGIN\s+RATES \(USD\)$/m);
    expect(stdout).toMatch(
      /^openai\s+gpt-5\.4\s+-\s+built-in\s+input \/1M tok \$2\.5, output \/1M tok \$15, cache read \/1M tok \$0\.25; above 271999 tok: input \/1M tok \$5/m,
    );
    expect(stdout).not.toMatch(/^anthropic/m);
    expect(stdout).toMatch(/Built-in catalog from \d{4}-\d{2}-\d{2} \(\d+ days old/);
  });

  it('looks up a dated model name and says which entry matched and why', async () => {
    const { code, stdout } = await run(['lookup', 'anthropic', 'claude-sonnet-4-5-20250929-xyz']);
    expect(code).toBe(PRICES_EXIT.notPriced);
    expect(stdout).toContain('tried "claude-sonnet-4-5-20250929-xyz"');
    const dated = await run(['lookup', 'openai', 'openai/gpt-5.4-2026-03-05']);
    expect(dated.code).toBe(PRICES_EXIT.ok);
    expect(dated.stdout).toContain('matched: openai / gpt-5.4-2026-03-05, by the name without its "provider/" prefix');
    expect(dated.stdout).toContain('from:    the built-in catalog');
    expect(dated.stdout).toContain('above 271999 input tokens: input /1M tok $5');
    expect(dated.stdout).toContain(
      'source:  https://developers.openai.com/api/docs/pricing (genai-prices 0.1.8: openai/gpt-5.4)',
    );
    const undated = await run(['lookup', 'openai', 'gpt-4o-2031-01-01']);
    expect(undated.stdout).toContain('matched: openai / gpt-4o, by the name without its date or -latest suffix');
  });

  it('names the provider that does price a model looked up under the wrong one', async () => {
    const { code, stdout } = await run(['lookup', 'openai', 'claude-opus-4-1']);
    expect(code).toBe(PRICES_EXIT.notPriced);
    expect(stdout).toContain('That model is priced for provider anthropic');
    expect(stdout).toContain('MLTEL_PRICES');
  });

  it('lets a price file (MLTEL_PRICES or --prices) win, and shows it as the origin', async () => {
    const file = join(dir, 'mine.json');
    writeFileSync(
      file,
      JSON.stringify([{ provider: 'openai', model: 'gpt-4o', input: '0.000001', output: '0.000002' }]),
    );
    const { code, stdout } = await run(['lookup', 'openai', 'gpt-4o'], { MLTEL_PRICES: file });
    expect(code).toBe(PRICES_EXIT.ok);
    expect(stdout).toContain('from:    a price file');
    expect(stdout).toContain('input /1M tok $1, output /1M tok $2');
    const flag = await run(['lookup', 'openai', 'gpt-4o', '--prices', file]);
    expect(flag.stdout).toContain('from:    a price file');
  });

  it('writes a local price file from a LiteLLM map URL, without the URL credentials, that lookup then uses', async () => {
    const out = join(dir, 'from-litellm.json');
    const { code, stdout, stderr } = await run(['write', '--from', url, '--out', out, '--provider', 'openai']);
    expect(stderr).toBe('');
    expect(code).toBe(PRICES_EXIT.ok);
    expect(stdout).toMatch(/^Wrote \d+ prices of 1 providers \(openai\) to /);
    const written = JSON.parse(readFileSync(out, 'utf8')) as { provider: string; source: string }[];
    expect(written.every((e) => e.provider === 'openai')).toBe(true);
    expect(written.map((e) => e.source).join()).not.toContain('secret');
    expect(written.find((e) => (e as unknown as { model: string }).model === 'tts-1')).toMatchObject({
      character: 0.000015,
    });
    const lookup = await run(['lookup', 'openai', 'tts-1', '--prices', out]);
    expect(lookup.stdout).toContain('from:    a price file');
    expect(lookup.stdout).toContain('per 1M characters $15');
    // An existing file is not replaced without --force.
    const again = await run(['write', '--from', LITELLM, '--out', out]);
    expect(again.code).toBe(PRICES_EXIT.unreadable);
    expect(again.stderr).toContain('exists. Fix: pass --force');
    expect((await run(['write', '--from', LITELLM, '--out', out, '--force'])).code).toBe(PRICES_EXIT.ok);
  });

  it('fails with exit 3 and the reason on an unreadable source, without echoing credentials', async () => {
    const missing = await run(['write', '--from', join(dir, 'nope.json'), '--out', join(dir, 'x.json')]);
    expect(missing.code).toBe(PRICES_EXIT.unreadable);
    expect(missing.stderr).toContain('no such file');
    expect(existsSync(join(dir, 'x.json'))).toBe(false);
    const notFound = await run(['list', '--prices', url.replace('prices.json', 'other.json')]);
    expect(notFound.code).toBe(PRICES_EXIT.unreadable);
    expect(notFound.stderr).toContain('HTTP 404');
    expect(notFound.stderr).not.toContain('secret');
  });

  it('answers bad usage with exit 2 and what to do', async () => {
    expect((await run([])).code).toBe(PRICES_EXIT.usage);
    expect((await run(['--help'])).stdout).toContain('mltel prices write --from');
    expect((await run(['lookup', 'openai'])).stderr).toContain('lookup needs a provider and a model');
    expect((await run(['lookup', 'openai', 'gpt-4o', '--at', 'yesterday'])).code).toBe(PRICES_EXIT.usage);
    expect((await run(['write', '--out', 'x.json'])).stderr).toContain('write needs --from');
    expect((await run(['frobnicate'])).stderr).toContain('unknown action "frobnicate"');
    expect((await run(['list', '--timeout', '0'])).code).toBe(PRICES_EXIT.usage);
  });

  it('prints JSON for lookup and list', async () => {
    const { stdout } = await run(['lookup', 'openai', 'gpt-5.4', '--json']);
    expect(JSON.parse(stdout)).toMatchObject({
      matched: 'exact',
      model: 'gpt-5.4',
      provider: 'openai',
      origin: 'default',
    });
    const list = JSON.parse((await run(['list', '--provider', 'cohere', '--json'])).stdout) as {
      entry: { provider: string };
    }[];
    expect(list.length).toBeGreaterThan(0);
    expect(list.every((e) => e.entry.provider === 'cohere')).toBe(true);
  });
});
