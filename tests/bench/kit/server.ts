/** wrangler dev for a benchmark (scripts/dev-server.ts), with a Durable Object state of its own. */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { root, startDevServer, type DevServer } from '../../../scripts/dev-server.ts';

export interface BenchServerOptions {
  port: number;
  /** Become `--var K:V`. */
  vars?: Record<string, string>;
  /** Start from an empty state, and remove it again on stop(). */
  fresh?: boolean;
}

/**
 * wrangler dev with its state in .wrangler/bench-NAME-state, so that it never shares
 * .wrangler/state with another wrangler dev; resolves once /api/health answers.
 */
export async function startBenchServer(name: string, opts: BenchServerOptions): Promise<DevServer> {
  const persistTo = join(root, '.wrangler', `bench-${name}-state`);
  const wipe = () => rm(persistTo, { recursive: true, force: true });
  if (opts.fresh) await wipe();
  const server = await startDevServer({ port: opts.port, vars: opts.vars, persistTo });
  if (!opts.fresh) return server;
  return {
    ...server,
    stop: async () => {
      await server.stop();
      await wipe();
    },
  };
}
