import { CAPABILITIES, type TokenScope } from '@chatops/protocol';
import type { AuthUser } from '../../common/decorators';
import { PersonalTokenException } from './personal-tokens.errors';
import { tokenTeamScopeReaches } from '../access/access.service';
import { capabilitiesAllowedByToken, requireTokenScope, requireTokenTeamReach, tokenAllows } from './token-scopes';

const user = (scopes?: TokenScope[]): AuthUser => ({ id: 'u1', username: 'alice', role: 'user', ...(scopes ? { token: { id: 't1', scopes } } : {}) });

describe('token scopes', () => {
  it('a session or a token without scopes: everything the user may do', () => {
    for (const u of [user(), user([])]) {
      expect(capabilitiesAllowedByToken(u, CAPABILITIES)).toEqual([...CAPABILITIES]);
      expect(tokenAllows(u, 'admin')).toBe(true);
    }
  });

  it('a scoped token: only the named capabilities, plus seeing the server', () => {
    const u = user(['metrics.read', 'docker.action']);
    expect(capabilitiesAllowedByToken(u, CAPABILITIES)).toEqual(['server.read', 'metrics.read', 'docker.action']);
    expect(tokenAllows(u, 'terminal.open')).toBe(false);
    expect(tokenAllows(u, 'admin')).toBe(false);
  });

  it('the admin scope alone does not open servers', () => {
    expect(capabilitiesAllowedByToken(user(['admin']), CAPABILITIES)).toEqual([]);
  });

  it('never widens: the intersection with what the role gives', () => {
    expect(capabilitiesAllowedByToken(user(['terminal.open', 'metrics.read']), ['server.read', 'metrics.read'])).toEqual(['server.read', 'metrics.read']);
  });

  it('refuses with token.scope_denied naming the capability, via token', () => {
    let error: unknown;
    try {
      requireTokenScope(user(['metrics.read']), 'commands.run');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PersonalTokenException);
    expect(error).toMatchObject({ code: 'token.scope_denied', status: 403, details: [{ capability: 'commands.run', via: 'token' }] });
    expect(() => requireTokenScope(user(['commands.run']), 'commands.run')).not.toThrow();
  });

  describe('team scope', () => {
    const scoped = (teamIds: string[], personal: boolean): AuthUser => ({ ...user(), token: { id: 't1', scopes: [], teamScope: { teamIds, personal } } });
    const mine = { ownerId: 'u1', teamId: null };
    const teamA = { ownerId: 'x', teamId: 'a' };

    it('reaches a team server only when named and still a member, a personal one only with personal', () => {
      expect(tokenTeamScopeReaches(scoped(['a'], false), teamA, 'viewer')).toBe(true);
      expect(tokenTeamScopeReaches(scoped(['a'], false), teamA, null)).toBe(false); // left the team
      expect(tokenTeamScopeReaches(scoped(['b'], true), teamA, 'admin')).toBe(false);
      expect(tokenTeamScopeReaches(scoped(['a'], false), mine, null)).toBe(false);
      expect(tokenTeamScopeReaches(scoped([], true), mine, null)).toBe(true);
      expect(tokenTeamScopeReaches(scoped([], true), { ownerId: 'someone', teamId: null }, null)).toBe(false);
      expect(tokenTeamScopeReaches(user(['metrics.read']), teamA, null)).toBe(true); // not limited to teams: the role decides
    });

    it('refuses to make or move a server out of reach', () => {
      expect(() => requireTokenTeamReach(scoped(['a'], false), null)).toThrow(PersonalTokenException);
      expect(() => requireTokenTeamReach(scoped(['a'], false), 'b')).toThrow(PersonalTokenException);
      expect(() => requireTokenTeamReach(scoped(['a'], true), 'a')).not.toThrow();
      expect(() => requireTokenTeamReach(scoped(['a'], true), null)).not.toThrow();
      expect(() => requireTokenTeamReach(user(), 'b')).not.toThrow();
    });
  });
});
