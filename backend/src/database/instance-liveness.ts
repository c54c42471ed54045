import type { DataSource, EntityManager } from 'typeorm';

/** The advisory-lock class (first key) of instance presence locks: "CHOP" (see InstancePresence). */
export const PRESENCE_LOCK_CLASS = 0x43484f50;

/**
 * A subquery listing the presence ids of the live backend instances: those whose presence
 * advisory lock (`pg_advisory_lock(PRESENCE_LOCK_CLASS, id)`, the two-key form) is held in this
 * database. `lockClassParam` is the placeholder that carries PRESENCE_LOCK_CLASS (e.g. `$1`).
 * Rows recorded with an instance id not in this list belong to an instance that died.
 */
export const aliveInstancesSql = (lockClassParam: string): string =>
  `SELECT objid::bigint::integer FROM pg_locks
    WHERE locktype = 'advisory' AND granted AND classid = ${lockClassParam}::bigint::oid AND objsubid = 2
      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

/** What a user holds a bounded number of at once, across every instance. */
export type UserSlotKind = 'commands' | 'terminal';
/** Advisory-lock classes of the per-user slot counts ("CHOC", "CHOT"): distinct from presence and jobs. */
const SLOT_LOCK_CLASS: Record<UserSlotKind, number> = { commands: 0x43484f43, terminal: 0x43484f54 };

/**
 * Runs `fn` in a transaction that holds the user's advisory lock for `kind` until it commits:
 * a count of the user's rows followed by the insert of a new one is then atomic across every
 * instance (a second request of the same user, on any instance, waits for the commit and counts
 * the row). Other users are not held up (hash collisions only serialise two users' admissions).
 */
export function underUserSlotLock<T>(db: DataSource, kind: UserSlotKind, userId: string, fn: (tx: EntityManager) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [SLOT_LOCK_CLASS[kind], userId]);
    return fn(tx);
  });
}
