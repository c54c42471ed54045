import type { Severity } from '@chatops/protocol';

/** How a toast or a screen reader names a severity (text, never colour alone). */
export const SEVERITY_WORDS: Record<Severity, string> = { info: 'Info', warning: 'Warning', critical: 'Critical' };
