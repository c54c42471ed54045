/** Server tags (`server.tags`, `GET /servers?tag=`): the rules shared by the backend's validation and the dashboard's editor. */

/** A tag: lower-case letters, digits and `.`, `_`, `:`, `-`, starting with a letter or digit, 1–32 characters. */
export const TAG_PATTERN = /^[a-z0-9][a-z0-9._:-]{0,31}$/;
export const MAX_TAGS = 20;
export const MAX_TAG_LENGTH = 32;
/** Why a (normalised) tag is refused, or null when it is fine. */
export function tagProblem(tag: string): string | null {
  if (!tag) return 'a tag cannot be empty';
  if (tag.length > MAX_TAG_LENGTH) return `a tag has at most ${MAX_TAG_LENGTH} characters`;
  if (!TAG_PATTERN.test(tag)) return 'use lower-case letters, digits and . _ : - (starting with a letter or digit)';
  return null;
}
/** A tag as a user typed it, as stored: trimmed and lower-cased (then it must match {@link TAG_PATTERN}). */
export function normalizeTag(raw: string): string {
  return raw.trim().toLowerCase();
}
