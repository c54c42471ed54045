import { AbstractControl, ValidationErrors } from '@angular/forms';
import { MAX_TAGS, normalizeTag, tagProblem } from '@chatops/protocol/tags';

/** The tags typed in a comma- or space-separated field, as the API stores them (normalised, duplicates dropped). */
export function parseTags(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map(normalizeTag).filter(Boolean))];
}

/** Every tag valid (see TAG_PATTERN) and at most MAX_TAGS of them; the error says which tag and why. */
export function tagsValidator(control: AbstractControl<string>): ValidationErrors | null {
  const tags = parseTags(control.value ?? '');
  if (tags.length > MAX_TAGS) return { tags: `At most ${MAX_TAGS} tags (${tags.length} given)` };
  for (const t of tags) {
    const problem = tagProblem(t);
    if (problem) return { tags: `"${t}": ${problem}` };
  }
  return null;
}
