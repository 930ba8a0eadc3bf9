// Starts `wrangler dev` for npm start, the tests and the benchmarks, with the machine's quirks handled:
// no fetch of Request.cf (no internet needed), no telemetry, local Durable Objects in .wrangler/.
import { spawn, type ChildProcess } from 'node:child_process';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function wranglerEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    // wrangler needs Node >= 22: the `node` package puts one in node_modules/.bin.
    PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH ?? ''}`,
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    WRANGLER_SEND_METRICS: 'false',
    WRANGLER_LOG: process.env.WRANGLER_LOG ?? 'warn',
  };
}

/** The status of a GET (wrangler's https certificate is self-signed, so it is not verified here). */
function probe(url: string): Promise<number> {
  const get = url.startsWith('https:') ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    const req = get(url, { rejectUnauthorized: false, timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

export interface DevServerOptions {
  port?: number;
  ip?: string;
  /** Become `--var K:V`. */
  vars?: Record<string, string>;
  persistTo?: string;
  /** Serve https with wrangler's self-signed certificate (for other devices on a LAN). */
  https?: boolean;
  /** Capture wrangler's output (and run it in its own process group) instead of inheriting stdio. */
  quiet?: boolean;
}

export interface DevServer {
  url: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** Spawn wrangler dev; resolves once /api/health answers. */
export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const { port = 8787, ip = '127.0.0.1', vars = {}, persistTo, quiet = true, https = false } = opts;
  const args = ['dev', '--port', String(port), '--ip', ip, '--show-interactive-dev-session=false'];
  for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`);
  if (persistTo) args.push('--persist-to', persistTo);
  if (https) args.push('--local-protocol', 'https');
  const child: ChildProcess = spawn(join(root, 'node_modules/.bin/wrangler'), args, {
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
  const url = `${https ? 'https' : 'http'}://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${output}`);
    try {
      if ((await probe(`${url}/api/health`)) === 200) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      if (quiet) process.kill(-(child.pid as number), 'SIGTERM');
      else child.kill('SIGTERM');
      throw new Error(`wrangler dev did not come up within 120 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return {
    url,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        try {
          if (quiet) process.kill(-(child.pid as number), 'SIGTERM');
          else child.kill('SIGTERM');
        } catch {
          resolve();
        }
      }),
  };
}
