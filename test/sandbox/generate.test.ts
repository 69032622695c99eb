import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateAccount, loadSeedFile, SandboxStore } from '../../src/sandbox/index.js';

describe('generateAccount', () => {
  it('is deterministic for the same options and differs for another seed', () => {
    const a = generateAccount({ orgs: 200, users: 500, sharedFraction: 0.2, ticketsPerOrg: 1 });
    expect(generateAccount({ orgs: 200, users: 500, sharedFraction: 0.2, ticketsPerOrg: 1 })).toEqual(a);
    expect(generateAccount({ orgs: 200, users: 500, sharedFraction: 0.2, seed: 7 })).not.toEqual(a);
  });

  it('makes consistent orgs, users and memberships', () => {
    const seed = generateAccount({ orgs: 300, users: 1000, sharedFraction: 0.25, multiOrgFraction: 0.1 });
    const store = new SandboxStore(seed);
    expect(store.orgs.size).toBe(300);
    expect([...store.users.values()].filter((u) => u.role === 'end-user')).toHaveLength(1000);
    const shared = [...store.orgs.values()].filter((o) => o.shared_tickets);
    expect(shared.length).toBeGreaterThan(40);
    expect(shared.length).toBeLessThan(110);
    for (const o of store.orgs.values()) {
      if (o.shared_comments) expect(o.shared_tickets).toBe(true);
      expect(o.details === null).toBe(!o.shared_tickets);
    }
    for (const u of store.users.values()) {
      if (u.role !== 'end-user') continue;
      const ms = store.membershipsOfUser(u.id);
      expect(ms.filter((m) => m.default)).toHaveLength(1);
      expect(ms.find((m) => m.default)!.organization_id).toBe(u.organization_id);
      for (const m of ms) expect(store.orgs.has(m.organization_id)).toBe(true);
    }
    expect([...store.users.values()].some((u) => store.membershipsOfUser(u.id).length === 2)).toBe(true);
    expect(store.currentUserId).toBe(1001);
  });
});

describe('seed files', () => {
  it('loads YAML and JSON in the seed shape and explains bad ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orgshare-seed-'));
    writeFileSync(join(dir, 'a.yaml'), 'organizations:\n  - {id: 5, name: Five, shared_tickets: true}\nusers: []\n');
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ organizations: [{ id: 6, name: 'Six' }], users: [] }));
    writeFileSync(join(dir, 'bad.yaml'), 'organizations:\n  - {name: NoId}\n');
    expect((await loadSeedFile(join(dir, 'a.yaml'))).organizations[0]).toEqual({ id: 5, name: 'Five', shared_tickets: true });
    expect((await loadSeedFile(join(dir, 'b.json'))).organizations[0]!.name).toBe('Six');
    await expect(loadSeedFile(join(dir, 'bad.yaml'))).rejects.toThrow(/organizations\[0\]\.id must be an integer.*users must be a list/);
  });
});
