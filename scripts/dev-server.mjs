// Starts `wrangler dev` for npm start, the tests and the benchmarks, with the machine's quirks handled:
// no fetch of Request.cf (no internet needed), no telemetry, local Durable Objects in .wrangler/.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function wranglerEnv() {
  return {
    ...process.env,
    // wrangler needs Node >= 22: the `node` package puts one in node_modules/.bin.
    PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH ?? ''}`,
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    WRANGLER_SEND_METRICS: 'false',
    WRANGLER_LOG: process.env.WRANGLER_LOG ?? 'warn',
  };
}

/**
 * Spawn wrangler dev. `vars` become `--var K:V`. Resolves once /api/health answers.
 * Returns { url, stop() }.
 */
export async function startDevServer({ port = 8787, ip = '127.0.0.1', vars = {}, persistTo, quiet = true } = {}) {
  const args = ['dev', '--port', String(port), '--ip', ip, '--show-interactive-dev-session=false'];
  for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`);
  if (persistTo) args.push('--persist-to', persistTo);
  const child = spawn(join(root, 'node_modules/.bin/wrangler'), args, {
    cwd: root,
    env: wranglerEnv(),
    stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    // In its own process group when run by a script (stop() ends the group); in the caller's
    // group when run in the foreground, so that whoever stops the caller stops wrangler too.
    detached: quiet,
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      if (quiet) process.kill(-child.pid, 'SIGTERM');
      else child.kill('SIGTERM');
      throw new Error(`wrangler dev did not come up within 120 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return {
    url,
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        try {
          if (quiet) process.kill(-child.pid, 'SIGTERM');
          else child.kill('SIGTERM');
        } catch {
          resolve();
        }
      }),
  };
}
