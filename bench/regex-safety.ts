/**
 * `npm run bench:regex`: how long V8 takes to run deny patterns on their adversarial lines
 * (one note window each), next to the work the tests bound instead
 * (test/config/regex-safety.test.ts): steps of the model backtracking engine
 * (test/config/backtrack-model.ts) and their ratio to DENY_TEXT_WINDOW × the analysis'
 * cost estimate, which the tests hold under WORK_FACTOR.
 *
 *   npm run bench:regex                         # built-in and example patterns
 *   npm run build && node dist/bench/regex-safety.js --generated 400 --top 20
 *
 * Options: --generated N (also N patterns from the tests' generator, fixed seed; the
 * accepted ones are measured), --top N (rows of generated patterns shown, worst ratio
 * first; default 15), --repeat N (V8 runs per line; the slowest counts; default 3).
 * Output: Markdown on stdout. Wall times vary with the machine's load (printed); the step
 * counts do not. Refused patterns are not run on V8 (some would take minutes): their
 * model steps are shown, capped at WORK_FACTOR × window × MAX_COST.
 */
import fc from 'fast-check';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { MAX_COST, regexCost } from '../src/config/regex-safety.js';
import { isEntryPoint } from '../src/entry-point.js';
import { DEFAULT_DENY_PATTERNS, DENY_TEXT_WINDOW } from '../src/model/policy.js';
import { adversarialLines, generatedDenyPattern, runModel, WORK_FACTOR } from '../test/config/backtrack-model.js';

const EXAMPLES = ['[^.\\n]*\\bshar', '.{0,40}x.{0,40}y', '\\w{1,40}\\S{1,40}!', '(?=.*legal).*hold', '\\bno\\s+sharing\\b'];
const REFUSED = ['(a+)+$', '(a|aa)+$', '.*.*=', '\\s*\\s*!', 'a*a*a*!', '.{0,100}x.{0,100}x.{0,100}y', '[a-z]+[^.\\n]\\w{2}.{1,100}!'];

interface Row {
  pattern: string;
  cost: number | null;
  steps: number;
  capped: boolean;
  ratio: number | null;
  v8SlowestMs: number | null;
  v8TotalMs: number | null;
  modelMs: number;
}

function measure(pattern: string, repeat: number): Row {
  const cost = regexCost(pattern);
  const cap = WORK_FACTOR * DENY_TEXT_WINDOW * (cost ?? MAX_COST);
  const lines = adversarialLines(pattern);
  let steps = 0;
  let capped = false;
  const started = performance.now();
  for (const line of lines) {
    const run = runModel(pattern, line, { cap });
    steps = Math.max(steps, run.steps);
    if (run.aborted) {
      capped = true;
      break;
    }
  }
  const modelMs = performance.now() - started;
  let v8SlowestMs: number | null = null;
  let v8TotalMs: number | null = null;
  if (cost !== null) {
    const re = new RegExp(pattern, 'i');
    v8SlowestMs = 0;
    v8TotalMs = 0;
    for (const line of lines) {
      let best = Infinity;
      for (let k = 0; k < repeat; k++) {
        const t0 = performance.now();
        re.test(line);
        best = Math.min(best, performance.now() - t0);
      }
      v8SlowestMs = Math.max(v8SlowestMs, best);
      v8TotalMs += best;
    }
  }
  return { pattern, cost, steps, capped, ratio: cost === null ? null : steps / (DENY_TEXT_WINDOW * cost), v8SlowestMs, v8TotalMs, modelMs };
}

const cell = (p: string) => `\`${p.replace(/\|/g, '\\|')}\``;
const num = (n: number) => n.toLocaleString('en-US');
const ms = (n: number | null) => (n === null ? 'not run' : n.toFixed(3));

function table(rows: Row[]): string {
  const out = [
    '| pattern | cost estimate | model steps, worst line | steps / (window × cost) | V8 slowest line, ms | V8 all lines, ms | model, ms |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const steps = r.capped ? `> ${num(r.steps - 1)} (cap)` : num(r.steps);
    out.push(
      `| ${cell(r.pattern)} | ${r.cost === null ? 'refused' : num(r.cost)} | ${steps} | ${r.ratio === null ? '' : r.ratio.toPrecision(3)} | ${ms(r.v8SlowestMs)} | ${ms(r.v8TotalMs)} | ${r.modelMs.toFixed(0)} |`,
    );
  }
  return out.join('\n');
}

function parseArgs(argv: string[]): { generated: number; top: number; repeat: number } {
  const opts = { generated: 0, top: 15, repeat: 3 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = Number(argv[++i]);
    if (!Number.isInteger(v) || v < 0) throw new Error(`${a} needs a whole number`);
    if (a === '--generated') opts.generated = v;
    else if (a === '--top') opts.top = v;
    else if (a === '--repeat') opts.repeat = Math.max(1, v);
    else throw new Error(`unknown option ${a} (--generated N, --top N, --repeat N)`);
  }
  return opts;
}

export function main(argv: string[]): number {
  const opts = parseArgs(argv);
  console.log(`# Deny patterns on adversarial lines of one window (${DENY_TEXT_WINDOW} characters)\n`);
  console.log(`Node ${process.version}, ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; work bound K = ${WORK_FACTOR}.\n`);
  console.log('## Built-in and example patterns\n');
  const fixed = [...DEFAULT_DENY_PATTERNS, ...EXAMPLES].map((p) => measure(p, opts.repeat));
  console.log(`${table(fixed)}\n`);
  console.log(`## Refused patterns (model only, capped at ${num(WORK_FACTOR * DENY_TEXT_WINDOW * MAX_COST)} steps)\n`);
  console.log(`${table(REFUSED.map((p) => measure(p, opts.repeat)))}\n`);
  let worst = Math.max(...fixed.map((r) => r.ratio ?? 0));
  if (opts.generated > 0) {
    const patterns = fc.sample(generatedDenyPattern(), { numRuns: opts.generated, seed: 4821 }).filter((p) => regexCost(p) !== null);
    const rows = patterns.map((p) => measure(p, opts.repeat)).sort((a, b) => (b.ratio ?? 0) - (a.ratio ?? 0));
    worst = Math.max(worst, rows[0]?.ratio ?? 0);
    console.log(`## Generated patterns: ${rows.length} of ${opts.generated} accepted, the ${Math.min(opts.top, rows.length)} with the highest ratio\n`);
    console.log(`${table(rows.slice(0, opts.top))}\n`);
    const v8 = rows.map((r) => r.v8SlowestMs ?? 0);
    console.log(`Slowest V8 line among them: ${ms(Math.max(...v8))} ms.\n`);
  }
  console.log(`Highest steps / (window × cost): ${worst.toFixed(2)} (the tests allow ${WORK_FACTOR}).`);
  return worst <= WORK_FACTOR ? 0 : 1;
}

if (isEntryPoint(import.meta.url)) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  }
}
