import { parseOidcTeamMapping } from './oidc-team-mapping';

describe('parseOidcTeamMapping', () => {
  it('reads group:team:role entries, trimming, with colons allowed in the group', () => {
    expect(parseOidcTeamMapping(' sre:Ops:admin , devs : Web team : viewer,urn:corp:grp:ops:Ops:operator ,')).toEqual({
      mappings: [
        { group: 'sre', team: 'Ops', role: 'admin' },
        { group: 'devs', team: 'Web team', role: 'viewer' },
        { group: 'urn:corp:grp:ops', team: 'Ops', role: 'operator' },
      ],
      problems: [],
    });
  });

  it('reads a JSON array for names with commas or colons', () => {
    expect(parseOidcTeamMapping('[{"group":"a,b","team":"x:y","role":"operator"}]').mappings).toEqual([{ group: 'a,b', team: 'x:y', role: 'operator' }]);
  });

  it('is empty when unset', () => {
    expect(parseOidcTeamMapping('  ')).toEqual({ mappings: [], problems: [] });
  });

  it.each([
    ['sre:Ops', 'entry 1: expected group:team:role'],
    ['sre:Ops:owner', 'entry 1: role must be viewer, operator or admin'],
    [':Ops:admin', 'entry 1: expected group:team:role'],
    ['sre::admin', 'entry 1: team must be'],
    ['[{"group":"g","team":"t"}]', 'entry 1: role must be'],
    ['[1]', 'entry 1: expected group:team:role'],
    ['{"group":"g"}', 'expected group:team:role'],
    ['[not json', 'not valid JSON'],
  ])('reports %j as a problem', (raw, problem) => {
    const { problems } = parseOidcTeamMapping(raw);
    expect(problems.join('\n')).toContain(problem);
  });
});
