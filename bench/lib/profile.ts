/**
 * Summarizes a V8 CPU profile (`node --cpu-prof`, or `bench/run.js --cpu-prof DIR`):
 * self time by function and by file, heaviest first.
 *
 *   node dist/bench/lib/profile.js DIR-or-file.cpuprofile [top=20]
 */
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  byFunction: { name: string; ms: number }[];
  byFile: { file: string; ms: number }[];
}

function shortUrl(url: string): string {
  if (!url) return '(native)';
  const i = url.lastIndexOf('/dist/');
  if (i >= 0) return url.slice(i + 1);
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + 1);
  return url.replace(/^file:\/\//, '');
}

export function summarize(profile: CpuProfile): ProfileSummary {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  for (const [id, us] of self) {
    const cf = nodes.get(id)?.callFrame;
    if (!cf) continue;
    const where = shortUrl(cf.url);
    const name = `${cf.functionName || '(anonymous)'} ${where}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;
    fn.set(name, (fn.get(name) ?? 0) + us / 1000);
    file.set(where, (file.get(where) ?? 0) + us / 1000);
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return {
    totalMs: (profile.endTime - profile.startTime) / 1000,
    byFunction: sorted(fn).map(([name, ms]) => ({ name, ms })),
    byFile: sorted(file).map(([f, ms]) => ({ file: f, ms })),
  };
}

function profilesIn(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(path, f))
    .sort();
}

function main(argv: string[]): number {
  const target = argv[0];
  const top = Number(argv[1] ?? 20);
  if (!target) {
    process.stderr.write('usage: node dist/bench/lib/profile.js DIR-or-file.cpuprofile [top]\n');
    return 1;
  }
  for (const file of profilesIn(target)) {
    const s = summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
    const out = [`\n${file}: ${s.totalMs.toFixed(0)} ms profiled`, '  self time by file:'];
    for (const f of s.byFile.slice(0, 12)) out.push(`    ${f.ms.toFixed(0).padStart(7)} ms  ${f.file}`);
    out.push('  self time by function:');
    for (const f of s.byFunction.slice(0, top)) out.push(`    ${f.ms.toFixed(0).padStart(7)} ms  ${f.name}`);
    process.stdout.write(`${out.join('\n')}\n`);
  }
  return 0;
}

function isEntryPoint(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) process.exitCode = main(process.argv.slice(2));
