import type { TeamRole } from '@chatops/protocol';

// A type-only import: config is loaded before the protocol package is built (migrations, test setup).
const ROLES: readonly TeamRole[] = ['viewer', 'operator', 'admin'];
const isTeamRole = (v: unknown): v is TeamRole => typeof v === 'string' && (ROLES as readonly string[]).includes(v);

/** One OIDC_TEAM_MAPPING entry: members of the provider group `group` are members of `team` (a name or an id) with `role`. */
export interface OidcTeamMapping { group: string; team: string; role: TeamRole }

/**
 * Parses OIDC_TEAM_MAPPING: either `group:team:role` entries separated by commas (the last two
 * colons split an entry, so a group may contain colons, e.g. a URN), or a JSON array of
 * `{group, team, role}` for names with commas or colons. Returns the entries, or the problems
 * found (values never echoed beyond the entry's position).
 */
export function parseOidcTeamMapping(raw: string): { mappings: OidcTeamMapping[]; problems: string[] } {
  const text = raw.trim();
  if (!text) return { mappings: [], problems: [] };
  let entries: unknown[];
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (!Array.isArray(parsed)) return { mappings: [], problems: ['not a JSON array'] };
      entries = parsed;
    } catch {
      return { mappings: [], problems: ['not valid JSON'] };
    }
  } else {
    entries = text.split(',').map((e) => e.trim()).filter(Boolean).map((entry) => {
      const roleAt = entry.lastIndexOf(':');
      const teamAt = roleAt > 0 ? entry.lastIndexOf(':', roleAt - 1) : -1;
      if (teamAt <= 0) return null;
      return { group: entry.slice(0, teamAt).trim(), team: entry.slice(teamAt + 1, roleAt).trim(), role: entry.slice(roleAt + 1).trim() };
    });
  }
  const mappings: OidcTeamMapping[] = [];
  const problems: string[] = [];
  entries.forEach((e, i) => {
    const where = `entry ${i + 1}`;
    if (!e || typeof e !== 'object') return void problems.push(`${where}: expected group:team:role`);
    const { group, team, role } = e as Record<string, unknown>;
    if (typeof group !== 'string' || !group.trim() || group.length > 256) return void problems.push(`${where}: group must be 1–256 characters`);
    if (typeof team !== 'string' || !team.trim() || team.length > 100) return void problems.push(`${where}: team must be a team name or id (1–100 characters)`);
    if (!isTeamRole(role)) return void problems.push(`${where}: role must be viewer, operator or admin`);
    mappings.push({ group: group.trim(), team: team.trim(), role });
  });
  return { mappings, problems };
}
