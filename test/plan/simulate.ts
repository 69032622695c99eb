/**
 * A pure stand-in for `apply` over a test `World`: runs a plan's steps in order, the way
 * the handbook (and src/apply) does, so planner tests can check convergence: plan → apply
 * → plan again is empty, and an apply interrupted after any step converges on rerun.
 */
import type { Plan, Step } from '../../src/model/plan.js';
import type { World } from './builders.js';

let nextCommentId = 900000;

export function runStep(world: World, step: Step, at = '2026-11-23T09:31:00Z'): void {
  if (step.skip) return;
  switch (step.kind) {
    case 'ticket_metadata': {
      const t = world.liveTicket(step.ticketId);
      for (const f of step.fields) {
        t.customFields = [...t.customFields.filter((c) => c.id !== f.id), { id: f.id, value: f.value }];
      }
      t.updatedAt = at;
      return;
    }
    case 'org_update': {
      const org = world.liveOrg(step.orgId);
      if (step.flags) {
        org.sharedTickets = step.flags.shared_tickets;
        org.sharedComments = step.flags.shared_comments;
      }
      org.details = step.detailsAfter;
      if (step.domainNames) org.domainNames = [...step.domainNames];
      org.updatedAt = at;
      return;
    }
    case 'user_update': {
      const u = world.liveUser(step.userId);
      u.ticketRestriction = step.ticketRestriction;
      u.notes = step.notesAfter;
      u.updatedAt = at;
      return;
    }
    case 'ticket_comment': {
      const author = world.observed.account.currentUserId ?? 1001;
      world.comment(step.ticketId, { id: nextCommentId++, author, body: step.body, createdAt: at });
      if (step.solve) world.liveTicket(step.ticketId).status = 'solved';
      world.liveTicket(step.ticketId).updatedAt = at;
      return;
    }
  }
}

/**
 * Applies every step of every change; with `stopAfter`, stops after that many steps in
 * total (a crash). Returns the number of steps run.
 */
export function simulateApply(world: World, plan: Plan, stopAfter = Infinity): number {
  let n = 0;
  for (const change of plan.changes) {
    for (const step of change.steps) {
      if (n >= stopAfter) return n;
      runStep(world, step);
      n++;
    }
  }
  return n;
}
