import { HttpErrorResponse } from '@angular/common/http';
import { describeHttpError } from './error-message';

/** A 400's `details` by field (`thresholdValue`, `channelIds`, `body thresholdValue`...), plus the message for the rest. */
export interface FieldErrors { fields: Record<string, string>; general: string }

/**
 * Splits an API error into messages for the form's fields (`known` names them) and one general
 * message (anything else, with the request id). Query/body prefixes are dropped from field names.
 */
export function fieldErrors(err: unknown, known: readonly string[]): FieldErrors {
  const info = describeHttpError(err);
  const fields: Record<string, string> = {};
  const other: string[] = [];
  const details = err instanceof HttpErrorResponse && err.status === 400 && typeof err.error === 'object' && err.error ? (err.error as { details?: unknown }).details : undefined;
  if (Array.isArray(details)) {
    for (const d of details) {
      if (!d || typeof d !== 'object') continue;
      const raw = String((d as { field?: unknown }).field ?? '').replace(/^(body|query|path) /, '');
      const name = raw.split(/[.[]/)[0];
      const errors = Array.isArray((d as { errors?: unknown }).errors) ? ((d as { errors: unknown[] }).errors).map(String) : [];
      if (known.includes(name)) fields[name] = [fields[name], ...errors].filter(Boolean).join('; ');
      else other.push(`${raw}: ${errors.join('; ')}`);
    }
  }
  const hasFieldErrors = Object.keys(fields).length > 0;
  const general = hasFieldErrors && !other.length ? '' : [other.length ? other.join(' · ') : info.message, info.requestId ? `(request ${info.requestId})` : ''].filter(Boolean).join(' ');
  return { fields, general };
}
