import type { Capability, TokenScope } from '@chatops/protocol';
import type { AuthUser } from '../../common/decorators';
import { PersonalTokenErrorCode, PersonalTokenException } from './personal-tokens.errors';

/**
 * Whether the request's personal API token (if any) allows `scope`. No token (a session) or a
 * token without scopes: yes, the user's own rights decide. `server.read` (seeing the server) is
 * implied by any capability scope: a token scoped to `metrics.read` must be able to find the server
 * whose metrics it reads.
 */
export function tokenAllows(user: AuthUser, scope: TokenScope): boolean {
  const scopes = user.token?.scopes;
  if (!scopes?.length) return true;
  if (scopes.includes(scope)) return true;
  return scope === 'server.read' && scopes.some((s) => s !== 'admin');
}

/** Narrows a user's capabilities on a server to what their token's scopes allow. */
export const capabilitiesAllowedByToken = (user: AuthUser, capabilities: readonly Capability[]): Capability[] =>
  capabilities.filter((c) => tokenAllows(user, c));

/** 403 `token.scope_denied` naming the scope the route needs (`details: [{capability, via: 'token'}]`). */
export function requireTokenScope(user: AuthUser, scope: TokenScope): void {
  if (tokenAllows(user, scope)) return;
  throw new PersonalTokenException(
    PersonalTokenErrorCode.ScopeDenied,
    `Not allowed: this needs the scope ${scope}, which this personal API token does not have`,
    [{ capability: scope, via: 'token' }],
  );
}

/**
 * 403 `token.scope_denied` when a personal API token limited to teams would put a server where it
 * cannot reach: making a personal server (`teamId` null) without `personal`, or moving a server to a
 * team it does not name (`details: [{team, via: 'token'}]`, `team` being the id or `personal`).
 */
export function requireTokenTeamReach(user: AuthUser, teamId: string | null): void {
  const scope = user.token?.teamScope;
  if (!scope || (teamId ? scope.teamIds.includes(teamId) : scope.personal)) return;
  throw new PersonalTokenException(
    PersonalTokenErrorCode.ScopeDenied,
    teamId ? 'Not allowed: this personal API token is not limited to that team' : 'Not allowed: this personal API token does not reach your personal servers',
    [{ team: teamId ?? 'personal', via: 'token' }],
  );
}
