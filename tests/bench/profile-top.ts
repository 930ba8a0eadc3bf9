/**
 * node tests/bench/profile-top.ts FILE.cpuprofile [N] — the N (20) functions with the most self
 * time in a V8 CPU profile (as written by bench:bigfile's BIGFILE_PROFILE), with their share of
 * the samples and where they are defined; then the same by script (file).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, n = '20'] = process.argv.slice(2);
if (!file) throw new Error('usage: node tests/bench/profile-top.ts FILE.cpuprofile [N]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map<string, number>();
const byScript = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  const frame = byId.get(id)?.callFrame;
  if (!frame) return;
  total += dt;
  const script = frame.url.split('/').pop() || '(native)';
  const key = `${frame.functionName || '(anonymous)'}  ${script}:${frame.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + dt);
  byScript.set(script, (byScript.get(script) ?? 0) + dt);
});
const show = (m: Map<string, number>, count: number) => {
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, count)) {
    console.log(`${((100 * v) / total).toFixed(1).padStart(5)} %  ${(v / 1000).toFixed(0).padStart(7)} ms  ${k}`);
  }
};
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled`);
show(self, Number(n));
console.log('by script:');
show(byScript, 8);
