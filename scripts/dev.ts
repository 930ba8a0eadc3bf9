// `npm start`: the whole network on wrangler dev. Usage: node scripts/dev.ts [--port N] [--ip A] [--var K:V]... [--persist-to DIR]
import { startDevServer, type DevServerOptions } from './dev-server.ts';

const argv = process.argv.slice(2);
const opts: DevServerOptions & { port: number; vars: Record<string, string> } = { port: 8787, ip: '0.0.0.0', vars: {}, quiet: false };
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const v = argv[i + 1];
  if (a === '--port') {
    opts.port = Number(v);
    i++;
  } else if (a === '--ip') {
    opts.ip = String(v);
    i++;
  } else if (a === '--https') {
    opts.https = true;
  } else if (a === '--persist-to') {
    opts.persistTo = String(v);
    i++;
  } else if (a === '--var') {
    const [k = '', ...rest] = String(v).split(':');
    opts.vars[k] = rest.join(':');
    i++;
  } else {
    console.error(`unknown argument ${a}`);
    process.exit(2);
  }
}
const server = await startDevServer(opts);
console.log(`\nThe network is up: open ${opts.https ? 'https' : 'http'}://localhost:${opts.port}/ in several tabs (add ?room=NAME for a room of your own).\n`);
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
