/**
 * Summarises a V8 CPU profile (from `node --cpu-prof`, or BENCH_CPU_PROF=dir npm run bench):
 * self time by function and by package/source file, to see where a server's time goes.
 *
 *   node bin/run-ts.js bench/profile.ts PROFILE.cpuprofile… [top=25]
 */
import fs from 'node:fs';

type CallFrame = { functionName: string; url: string; lineNumber: number };
type Node = { id: number; callFrame: CallFrame; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

function summarise(profile: Profile, top = 25): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

  const where = (url: string) => {
    if (!url) return '(native/idle)';
    const nm = url.lastIndexOf('node_modules/');
    if (nm >= 0) {
      const rest = url.slice(nm + 'node_modules/'.length).split('/');
      return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
    }
    const src = url.indexOf('/src/');
    if (src >= 0) return url.slice(src + 1);
    const bench = url.indexOf('/bench/');
    if (bench >= 0) return url.slice(bench + 1);
    return url.startsWith('node:') ? 'node (built-in)' : url;
  };

  const fnSelf = new Map<string, number>();
  const modSelf = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const f = byId.get(id)!.callFrame;
    const name = f.functionName || '(anonymous)';
    const key = `${name}  ${where(f.url)}${f.url ? `:${f.lineNumber + 1}` : ''}`;
    fnSelf.set(key, (fnSelf.get(key) ?? 0) + us);
    const m = f.url ? where(f.url) : name;
    modSelf.set(m, (modSelf.get(m) ?? 0) + us);
  }
  const fmt = (entries: Map<string, number>) =>
    [...entries]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `${(us / 1000).toFixed(0).padStart(7)} ms ${((us / total) * 100).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n');
  return [
    `profile: ${(total / 1000).toFixed(0)} ms sampled`,
    '',
    'self time by package or source file:',
    fmt(modSelf),
    '',
    'self time by function:',
    fmt(fnSelf),
  ].join('\n');
}

const args = process.argv.slice(2);
const top = Number(args.find((a) => /^\d+$/.test(a)) ?? 25);
const files = args.filter((a) => !/^\d+$/.test(a));
if (files.length === 0) {
  console.error('usage: node bin/run-ts.js bench/profile.ts PROFILE.cpuprofile… [top]');
  process.exitCode = 2;
}
for (const file of files) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  console.log(`== ${file}\n${summarise(profile, top)}\n`);
}
