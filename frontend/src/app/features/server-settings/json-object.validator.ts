import { AbstractControl, ValidationErrors } from '@angular/forms';

/** Empty, or JSON text that parses to a plain object (server metadata is a key/value object). */
export function jsonObjectValidator(control: AbstractControl<string>): ValidationErrors | null {
  const text = (control.value ?? '').trim();
  if (!text) return null;
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? null : { jsonObject: 'Metadata must be a JSON object, like {"env": "prod"}' };
  } catch (e) {
    return { json: e instanceof Error ? e.message : 'Invalid JSON' };
  }
}
