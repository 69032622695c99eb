/**
 * Benchmark rows → Markdown tables (pasted as is into docs/performance.md) and the
 * acceptance targets of issue 9, evaluated on the measured rows.
 */
import { type RequestCounts, writesOf } from './classify.js';

export type CommandName = 'validate' | 'plan (no change)' | 'plan (1 % changed)' | 'apply (1 % changed)' | 'drift' | 'access';

export interface Timing {
  wallMs: number;
  cpuMs: number;
  maxRssMiB: number;
  /** CPU of the parent process (the in-process sandbox) during the run. */
  sandboxCpuMs: number;
}

export interface Row {
  orgs: number;
  users: number;
  changes: number;
  command: CommandName;
  /** Set for the budget rows: sandbox limited and client budget (`rpm`) at this many requests/minute. */
  rpm?: number;
  /** Budget rows: the most requests the sandbox received in any 60-second window. */
  busiestMinute?: number;
  exitCode: number | null;
  expectedExit: number;
  counts: RequestCounts;
  timing: Timing;
  /** The naive baseline doing the same job (none for validate). */
  naive?: { counts: RequestCounts; timing: Timing; exitCode: number | null };
}

/** Wall time the same requests need at `rpm` requests per minute, in seconds. */
export function atRpm(requests: number, rpm = 700): number {
  return (requests / rpm) * 60;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const sec = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : 'n/a');
const mib = (m: number) => (Number.isFinite(m) ? Math.round(m).toString() : 'n/a');
function duration(s: number): string {
  if (s < 0.05) return '0 s';
  if (s < 90) return `${s.toFixed(1)} s`;
  return `${(s / 60).toFixed(1)} min`;
}
function ratio(naive: number, ours: number): string {
  if (ours === 0) return naive === 0 ? '—' : '∞';
  return `${(naive / ours).toFixed(naive / ours >= 10 ? 0 : 1)}×`;
}

function commandCell(r: Row): string {
  let cell: string = r.command;
  if (r.rpm) cell += `, rpm ${r.rpm}`;
  if (r.busiestMinute !== undefined) cell += `, busiest 60 s: ${r.busiestMinute}`;
  if (r.counts.rateLimited) cell += ` (${r.counts.rateLimited} × 429)`;
  return r.exitCode === r.expectedExit ? cell : `${cell} ⚠ exit ${r.exitCode ?? 'signal'} (expected ${r.expectedExit})`;
}

export function mainTable(rows: Row[]): string {
  const head = [
    '| orgs | users | command | org reads | evidence/user reads | writes org / ticket | job polls | requests | wall | CPU | at 700 rpm | peak RSS MiB | naive requests | naive ÷ orgshare |',
    '|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const body = rows.map((r) => {
    const c = r.counts;
    const writes = `${int(c.orgWrites)} / ${int(c.ticketWrites)}${c.userWrites + c.otherWrites ? ` (+${int(c.userWrites + c.otherWrites)})` : ''}`;
    return [
      int(r.orgs),
      int(r.users),
      commandCell(r),
      int(c.orgReads),
      int(c.evidenceReads),
      writes,
      int(c.jobPolls),
      int(c.total),
      `${sec(r.timing.wallMs)} s`,
      `${sec(r.timing.cpuMs)} s`,
      duration(atRpm(c.total)),
      mib(r.timing.maxRssMiB),
      r.naive ? int(r.naive.counts.total) : '—',
      r.naive ? ratio(r.naive.counts.total, c.total) : '—',
    ].join(' | ');
  });
  return [...head, ...body.map((b) => `| ${b} |`)].join('\n');
}

export function naiveTable(rows: Row[]): string {
  const head = [
    '| orgs | job | naive GET / PUT | naive wall | naive CPU | naive at 700 rpm | naive peak RSS MiB | orgshare at 700 rpm |',
    '|---:|---|---:|---:|---:|---:|---:|---:|',
  ];
  const body = rows
    .filter((r) => r.naive && !r.rpm)
    .map((r) => {
      const n = r.naive!;
      return [
        int(r.orgs),
        n.exitCode === 0 ? r.command : `${r.command} ⚠ exit ${n.exitCode ?? 'signal'}`,
        `${int(n.counts.total - writesOf(n.counts))} / ${int(writesOf(n.counts))}`,
        `${sec(n.timing.wallMs)} s`,
        `${sec(n.timing.cpuMs)} s`,
        duration(atRpm(n.counts.total)),
        mib(n.timing.maxRssMiB),
        duration(atRpm(r.counts.total)),
      ].join(' | ');
    });
  return [...head, ...body.map((b) => `| ${b} |`)].join('\n');
}

/** Requests by endpoint for the rows of one size (the detail under the table). */
export function endpointTable(rows: Row[]): string {
  rows = rows.filter((r) => !r.rpm);
  const endpoints = new Set<string>();
  for (const r of rows) for (const k of r.counts.byEndpoint.keys()) endpoints.add(k);
  const sorted = [...endpoints].sort((a, b) => a.split(' ')[1]!.localeCompare(b.split(' ')[1]!) || a.localeCompare(b));
  const head = [`| endpoint | ${rows.map((r) => r.command).join(' | ')} |`, `|---|${rows.map(() => '---:').join('|')}|`];
  const body = sorted.map((ep) => `| \`${ep}\` | ${rows.map((r) => int(r.counts.byEndpoint.get(ep) ?? 0)).join(' | ')} |`);
  return [...head, ...body].join('\n');
}

export interface Verdict {
  target: string;
  measured: string;
  pass: boolean;
}

/** The most entries of `times` (ms, ascending) within any window of `windowMs`. */
export function busiestWindow(times: number[], windowMs = 60_000): number {
  let best = 0;
  let j = 0;
  for (let i = 0; i < times.length; i++) {
    while (times[j]! <= times[i]! - windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

/** The acceptance targets (docs/performance.md), on the rows of the 10,000-organization size. */
export function verdicts(rows: Row[]): Verdict[] {
  const at = (cmd: CommandName) => rows.find((r) => r.orgs === 10_000 && r.command === cmd && !r.rpm);
  const out: Verdict[] = [];
  const planNo = at('plan (no change)');
  if (planNo) {
    out.push({
      target: 'plan, 10,000 orgs, no change: ⌈N/100⌉ + 1 = 101 requests (no evidence for unchanged organizations)',
      measured: `${planNo.counts.total} requests`,
      pass: planNo.counts.total <= 101 && planNo.exitCode === planNo.expectedExit,
    });
    out.push({
      target: 'plan, 10,000 orgs, no change: ≤ 101 organization reads',
      measured: `${planNo.counts.orgReads} organization reads (${planNo.counts.total} requests in all)`,
      pass: planNo.counts.orgReads <= 101 && planNo.exitCode === planNo.expectedExit,
    });
    if (planNo.naive) {
      const r = planNo.naive.counts.total / Math.max(1, planNo.counts.total);
      out.push({
        target: 'plan, 10,000 orgs, no change: ≥ 50× fewer requests than the naive baseline',
        measured: `${planNo.naive.counts.total} ÷ ${planNo.counts.total} = ${r.toFixed(1)}×`,
        pass: r >= 50,
      });
    }
    out.push({
      target: 'plan, 10,000 orgs, no change: ≤ 5 s wall time (sandbox, no rate limit)',
      measured: `${sec(planNo.timing.wallMs)} s`,
      pass: planNo.timing.wallMs <= 5000,
    });
  }
  const validate = at('validate');
  if (validate) {
    out.push({
      target: 'validate, 10,000 files: ≤ 1.5 s',
      measured: `${sec(validate.timing.wallMs)} s`,
      pass: validate.timing.wallMs <= 1500 && validate.exitCode === 0,
    });
  }
  const apply = at('apply (1 % changed)');
  if (apply) {
    out.push({
      target: `apply, ${apply.changes} changes: ≤ 2 organization write requests (+ job polls and ticket steps)`,
      measured: `${apply.counts.orgWrites} organization writes, ${apply.counts.jobPolls} job polls, ${apply.counts.ticketWrites} ticket writes`,
      pass: apply.counts.orgWrites <= 2 && apply.exitCode === apply.expectedExit,
    });
  }
  const access = at('access');
  if (access) {
    out.push({
      target: `access, 10,000 orgs / ${access.users.toLocaleString('en-US')} users: ≤ 2,500 requests`,
      measured: `${int(access.counts.total)} requests`,
      pass: access.counts.total <= 2500 && access.exitCode === access.expectedExit,
    });
    out.push({
      target: 'access, 10,000 orgs: peak RSS < 300 MiB',
      measured: `${mib(access.timing.maxRssMiB)} MiB`,
      pass: access.timing.maxRssMiB < 300,
    });
  }
  for (const r of rows.filter((x) => x.rpm && x.command === 'drift')) {
    const floorMs = atRpm(r.counts.total, r.rpm) * 1000;
    out.push({
      target: `drift, ${int(r.orgs)} orgs at ${r.rpm} rpm: ≤ 1.05 × the floor (requests ÷ rpm), zero 429s, no 60-s window over rpm`,
      measured: `${int(r.counts.total)} requests in ${sec(r.timing.wallMs)} s = ${(r.timing.wallMs / floorMs).toFixed(3)} × the ${sec(floorMs)} s floor; ${r.counts.rateLimited} × 429; busiest 60 s: ${r.busiestMinute ?? '?'} requests`,
      pass: r.timing.wallMs <= 1.05 * floorMs && r.counts.rateLimited === 0 && (r.busiestMinute ?? Infinity) <= r.rpm! && r.exitCode === r.expectedExit,
    });
  }
  const big = rows.filter((r) => r.orgs === 10_000 && !r.rpm);
  if (big.length) {
    const peak = Math.max(...big.map((r) => r.timing.maxRssMiB));
    const which = big.find((r) => r.timing.maxRssMiB === peak)!;
    out.push({
      target: `peak RSS of every command, 10,000 orgs / ${big[0]!.users.toLocaleString('en-US')} users: < 300 MiB`,
      measured: `${mib(peak)} MiB (${which.command})`,
      pass: peak < 300,
    });
  }
  return out;
}

export function verdictTable(v: Verdict[]): string {
  return ['| target | measured | |', '|---|---|---|', ...v.map((x) => `| ${x.target} | ${x.measured} | ${x.pass ? 'pass' : '**FAIL**'} |`)].join('\n');
}
