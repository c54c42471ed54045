/** The SQLSTATE of a node-postgres error, or of a TypeORM QueryFailedError wrapping one. */
export function sqlStateOf(err: unknown): string | undefined {
  const e = err as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = e?.code ?? e?.driverError?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** SQLSTATE classes 22 (data exception) and 23 (integrity): the rows, not the database, are at fault. */
export function isDataError(err: unknown): boolean {
  const code = sqlStateOf(err);
  return code !== undefined && (code.startsWith('22') || code.startsWith('23'));
}

/** A row references one that does not exist (e.g. deleted by a concurrent request). */
export const FOREIGN_KEY_VIOLATION = '23503';
