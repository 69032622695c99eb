/**
 * Fault injection, deterministic under a seed. Two kinds:
 *  - rules: probabilistic, from a spec string ("429:0.1,503:0.05,slow:0.1:2000,drop:0.02,
 *    timeout:0.01,jobfail:0.1,seed:42") or `FaultRule[]`. Every /api/v2 request draws once
 *    per rule from a mulberry32 PRNG, in rule order, whether or not an earlier rule fired,
 *    so the same request sequence meets the same faults.
 *  - scripts: exact ("the next 5 PUTs to /tickets/4821 get 503", "fail the 3rd write").
 *    Scripts are checked before rules; the first script whose window covers the request wins.
 * Faults never apply to /__sandbox.
 */
import type { FaultAction, FaultMatch, FaultRule, ScriptedFault } from './types.js';

/** mulberry32: a tiny, good-enough seeded PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ParsedFaults {
  rules: FaultRule[];
  seed: number | undefined;
}

/**
 * Parses a fault spec. Entries (comma-separated), probability p in [0, 1]:
 *   429:p[:retryAfterSeconds]   STATUS:p (any 4xx/5xx, e.g. 500:p, 503:p)
 *   slow:p:ms   timeout:p   drop:p   jobfail:p (per bulk item)   seed:N
 */
export function parseFaultSpec(spec: string): ParsedFaults {
  const rules: FaultRule[] = [];
  let seed: number | undefined;
  for (const raw of spec.split(',')) {
    const entry = raw.trim();
    if (!entry) continue;
    const [name = '', ...args] = entry.split(':').map((s) => s.trim());
    const num = (s: string | undefined, what: string): number => {
      const n = Number(s);
      if (s === undefined || s === '' || !Number.isFinite(n)) throw new Error(`fault spec "${entry}": ${what} must be a number`);
      return n;
    };
    const prob = () => {
      const p = num(args[0], 'probability');
      if (p < 0 || p > 1) throw new Error(`fault spec "${entry}": probability must be between 0 and 1`);
      return p;
    };
    if (name === 'seed') {
      seed = num(args[0], 'seed');
    } else if (name === 'slow') {
      rules.push({ probability: prob(), fault: { kind: 'delay', ms: args[1] === undefined ? 2000 : num(args[1], 'delay ms') } });
    } else if (name === 'timeout' || name === 'hang') {
      rules.push({ probability: prob(), fault: { kind: 'hang' } });
    } else if (name === 'drop') {
      rules.push({ probability: prob(), fault: { kind: 'drop' } });
    } else if (name === 'jobfail') {
      rules.push({ probability: prob(), fault: { kind: 'jobFail' } });
    } else if (name === '429') {
      rules.push({ probability: prob(), fault: { kind: 'retryAfter', seconds: args[1] === undefined ? 1 : num(args[1], 'Retry-After seconds') } });
    } else if (/^[45]\d\d$/.test(name)) {
      rules.push({ probability: prob(), fault: { kind: 'status', status: Number(name) } });
    } else {
      throw new Error(`fault spec "${entry}": unknown fault "${name}" (use 429, 500, 503, slow, timeout, drop, jobfail, seed)`);
    }
  }
  return { rules, seed };
}

export interface RequestInfo {
  method: string;
  path: string;
}

function matches(m: FaultMatch | undefined, req: RequestInfo): boolean {
  if (!m) return true;
  if (m.method && m.method.toUpperCase() !== req.method.toUpperCase()) return false;
  const isWrite = req.method !== 'GET' && req.method !== 'HEAD';
  if (m.write !== undefined && m.write !== isWrite) return false;
  if (m.path !== undefined) {
    if (typeof m.path === 'string' ? !req.path.includes(m.path) : !new RegExp(m.path.source, m.path.flags.replace('g', '')).test(req.path)) return false;
  }
  return true;
}

interface ActiveScript {
  rule: ScriptedFault;
  seen: number;
  fired: number;
}

export const DEFAULT_FAULT_SEED = 1;

export class FaultEngine {
  private rules: FaultRule[] = [];
  private scripts: ActiveScript[] = [];
  private rand: () => number = mulberry32(DEFAULT_FAULT_SEED);
  private seed = DEFAULT_FAULT_SEED;

  /** Replaces the probabilistic rules (scripts are kept). A spec's `seed:N` wins over `seed`. */
  set(spec: string | FaultRule[] | undefined, seed?: number): void {
    if (spec === undefined || spec === '') {
      this.rules = [];
    } else if (typeof spec === 'string') {
      const parsed = parseFaultSpec(spec);
      this.rules = parsed.rules;
      seed = parsed.seed ?? seed;
    } else {
      this.rules = spec.map((r) => ({ ...r }));
    }
    this.reseed(seed ?? this.seed);
  }

  reseed(seed: number): void {
    this.seed = seed;
    this.rand = mulberry32(seed);
  }

  script(rule: ScriptedFault): void {
    this.scripts.push({ rule, seen: 0, fired: 0 });
  }

  /** Removes every rule and script. */
  clear(): void {
    this.rules = [];
    this.scripts = [];
    this.reseed(DEFAULT_FAULT_SEED);
  }

  /** The fault for this request (not jobFail), or null. Advances scripts and the PRNG. */
  pick(req: RequestInfo): { action: FaultAction; jobFail?: undefined } | { action: null; jobFail?: FaultAction & { kind: 'jobFail' } } {
    let chosen: FaultAction | null = null;
    let jobFail: (FaultAction & { kind: 'jobFail' }) | undefined;
    for (const s of this.scripts) {
      if (!matches(s.rule.match, req)) continue;
      const times = s.rule.times ?? 1;
      const index = s.seen++;
      if (chosen || jobFail) continue;
      if (index >= (s.rule.skip ?? 0) && s.fired < times) {
        s.fired++;
        if (s.rule.fault.kind === 'jobFail') jobFail = s.rule.fault;
        else chosen = s.rule.fault;
      }
    }
    this.scripts = this.scripts.filter((s) => s.fired < (s.rule.times ?? 1));
    // Draw for every request-level rule, always, to keep the sequence stable.
    for (const r of this.rules) {
      if (r.fault.kind === 'jobFail') continue;
      if (!matches(r.match, req)) continue;
      const hit = this.rand() < r.probability;
      if (hit && !chosen && !jobFail) chosen = r.fault;
    }
    return chosen ? { action: chosen } : { action: null, ...(jobFail ? { jobFail } : {}) };
  }

  /** Per-item failure decisions for a bulk job (rules of kind jobFail). */
  jobItemFailures(req: RequestInfo, ids: number[], scripted?: FaultAction & { kind: 'jobFail' }): Map<number, { error: string; details: string }> {
    const out = new Map<number, { error: string; details: string }>();
    const describe = (f: FaultAction & { kind: 'jobFail' }) => ({
      error: f.error ?? 'RecordInvalid',
      details: f.details ?? 'Simulated failure (sandbox fault injection)',
    });
    if (scripted) {
      for (const id of ids) if (!scripted.ids || scripted.ids.includes(id)) out.set(id, describe(scripted));
    }
    for (const r of this.rules) {
      if (r.fault.kind !== 'jobFail' || !matches(r.match, req)) continue;
      for (const id of ids) {
        const hit = this.rand() < r.probability;
        if (hit && !out.has(id) && (!r.fault.ids || r.fault.ids.includes(id))) out.set(id, describe(r.fault));
      }
    }
    return out;
  }

  describe(): { rules: FaultRule[]; scripts: { rule: ScriptedFault; remaining: number }[]; seed: number } {
    return {
      rules: this.rules,
      scripts: this.scripts.map((s) => ({ rule: s.rule, remaining: (s.rule.times ?? 1) - s.fired })),
      seed: this.seed,
    };
  }
}

export function describeFault(f: FaultAction): string {
  switch (f.kind) {
    case 'status':
      return `status:${f.status}`;
    case 'retryAfter':
      return `retryAfter:${f.seconds}`;
    case 'drop':
      return f.applied ? 'drop:applied' : 'drop';
    case 'hang':
      return 'hang';
    case 'delay':
      return `delay:${f.ms}`;
    case 'jobFail':
      return 'jobFail';
  }
}
