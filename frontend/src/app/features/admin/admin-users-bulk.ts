import type { AdminBulkAction, AdminBulkResult, AdminUser } from '@chatops/protocol/admin';

/** How each bulk action reads in the confirmation, the toast and the result list. */
export const BULK_WORDS: Record<AdminBulkAction, { verb: string; done: string; confirm: string; warning: string }> = {
  disable: { verb: 'Disable', done: 'Disabled', confirm: 'Disable', warning: 'They are signed out everywhere at once and cannot sign in until enabled again. Their servers keep running.' },
  enable: { verb: 'Enable', done: 'Enabled', confirm: 'Enable', warning: 'They can sign in again (their old sessions stay ended).' },
  revoke_sessions: { verb: 'Sign out', done: 'Signed out', confirm: 'Sign out', warning: 'Every session of theirs ends at once (dashboard tabs, refresh tokens, live connections); their accounts stay usable.' },
};

export interface BulkFailure { userId: string; username: string; message: string }
export interface BulkSummary {
  /** Users the server changed (their new state). */
  updated: AdminUser[];
  failures: BulkFailure[];
  /** One sentence for the toast. */
  text: string;
}

const users = (n: number) => `${n} user${n === 1 ? '' : 's'}`;

/** Reads the per-user results of a bulk action: what changed, what was refused and why, and one sentence for it all. */
export function summarizeBulk(action: AdminBulkAction, results: AdminBulkResult[], nameOf: (id: string) => string): BulkSummary {
  const updated: AdminUser[] = [];
  const failures: BulkFailure[] = [];
  for (const r of results) {
    if (r.ok) updated.push(r.user);
    else failures.push({ userId: r.userId, username: nameOf(r.userId), message: r.message });
  }
  const done = updated.length ? `${BULK_WORDS[action].done} ${users(updated.length)}` : '';
  const refused = failures.length ? `${users(failures.length)} refused (${failures.map((f) => f.username).join(', ')})` : '';
  return { updated, failures, text: [done, refused].filter(Boolean).join('; ') || 'Nothing to do' };
}
