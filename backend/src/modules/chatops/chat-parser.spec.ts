import fc from 'fast-check';
import { CHAT_METRIC_RANGES } from '@chatops/protocol';
import { CHAT_DOCKER_ACTIONS, COMMAND_NAMES, specOf, formatCommand, kindOf, ParsedCommand, usage } from './chat-commands';
import { complete } from './chat-completion';
import { ChatParseErrorCode, parse } from './chat-parser';
import { closest, editDistance } from './edit-distance';

const ok = (text: string): ParsedCommand => {
  const r = parse(text);
  if (!r.ok) throw new Error(`expected ${JSON.stringify(text)} to parse: ${r.error.message}`);
  return r.command;
};
const bad = (text: string) => {
  const r = parse(text);
  if (r.ok) throw new Error(`expected ${JSON.stringify(text)} not to parse, got ${JSON.stringify(r.command)}`);
  return r.error;
};
const ALERT = '3f2a9c1e-1111-4222-8333-444455556666';

describe('chat parser', () => {
  describe.each<[string, [string, ParsedCommand][], [string, ChatParseErrorCode, RegExp][]]>([
    ['help', [
      ['help', { name: 'help', topic: null }],
      ['HELP docker', { name: 'help', topic: 'docker' }],
      ['? exec', { name: 'help', topic: 'run' }],
    ], [
      ['help dockr', ChatParseErrorCode.BadArgument, /did you mean docker/],
      ['help run extra', ChatParseErrorCode.ExtraArgument, /Unexpected 'extra'/],
    ]],
    ['status', [
      ['status', { name: 'status', target: null }],
      ['  status   web-1  ', { name: 'status', target: 'web-1' }],
      ['/st prod', { name: 'status', target: 'prod' }],
    ], [
      ['status a b', ChatParseErrorCode.ExtraArgument, /Usage: status \[server\|tag\]/],
    ]],
    ['top', [
      ['top web-1', { name: 'top', server: 'web-1' }],
      ['top', { name: 'top', server: null }],
    ], [
      ['top web-1 web-2', ChatParseErrorCode.ExtraArgument, /Unexpected 'web-2'/],
    ]],
    ['metrics', [
      ['metrics web-1', { name: 'metrics', server: 'web-1', range: '1h' }],
      ['metrics web-1 24H', { name: 'metrics', server: 'web-1', range: '24h' }],
      ['metrics 7d', { name: 'metrics', server: null, range: '7d' }],
    ], [
      ['metrics web-1 2y', ChatParseErrorCode.BadArgument, /'2y' is not a range: 15m, 1h, 6h, 24h, 7d/],
    ]],
    ['run', [
      ['run web-1 -- df -h', { name: 'run', server: 'web-1', command: 'df -h' }],
      ['run web-1 --   echo "a  b" | wc -c ', { name: 'run', server: 'web-1', command: 'echo "a  b" | wc -c' }],
      ['run -- uptime', { name: 'run', server: null, command: 'uptime' }],
      ['exec web-1 -- ls -- -x', { name: 'run', server: 'web-1', command: 'ls -- -x' }],
    ], [
      ['run web-1 df -h', ChatParseErrorCode.MissingArgument, /Expected '--' before 'df'/],
      ['run web-1 --', ChatParseErrorCode.MissingArgument, /Missing command/],
      ['run', ChatParseErrorCode.MissingArgument, /Expected '--'/],
    ]],
    ['containers', [
      ['containers web-1', { name: 'containers', server: 'web-1' }],
      ['containers', { name: 'containers', server: null }],
    ], [
      ['containers web-1 now', ChatParseErrorCode.ExtraArgument, /Unexpected 'now'/],
    ]],
    ['docker', [
      ['docker restart api on web-1', { name: 'docker', action: 'restart', container: 'api', server: 'web-1' }],
      ['docker STOP api ON web-1', { name: 'docker', action: 'stop', container: 'api', server: 'web-1' }],
      ['docker start db', { name: 'docker', action: 'start', container: 'db', server: null }],
    ], [
      ['docker restrat api on web-1', ChatParseErrorCode.BadArgument, /did you mean restart/],
      ['docker remove api on web-1', ChatParseErrorCode.BadArgument, /not one of start, stop, restart, pause, unpause, kill/],
      ['docker restart ../etc on web-1', ChatParseErrorCode.BadArgument, /not a container name or id/],
      ['docker restart api on', ChatParseErrorCode.MissingArgument, /Name a server after 'on'/],
      ['docker restart', ChatParseErrorCode.MissingArgument, /Missing container/],
      ['docker restart api web-1', ChatParseErrorCode.ExtraArgument, /Unexpected 'web-1'/],
    ]],
    ['logs', [
      ['logs api on web-1', { name: 'logs', container: 'api', server: 'web-1', lines: 50, follow: false }],
      ['logs api on web-1 200', { name: 'logs', container: 'api', server: 'web-1', lines: 200, follow: false }],
      ['tail api 10', { name: 'logs', container: 'api', server: null, lines: 10, follow: false }],
      ['logs api on web-1 20 follow', { name: 'logs', container: 'api', server: 'web-1', lines: 20, follow: true }],
      ['logs api on web-1 follow', { name: 'logs', container: 'api', server: 'web-1', lines: 50, follow: true }],
      ['tail api -f', { name: 'logs', container: 'api', server: null, lines: 50, follow: true }],
    ], [
      ['logs api on web-1 0', ChatParseErrorCode.BadArgument, /from 1 to 500/],
      ['logs api on web-1 100000', ChatParseErrorCode.BadArgument, /from 1 to 500/],
      ['logs', ChatParseErrorCode.MissingArgument, /Missing container/],
      ['logs api on web-1 20 folow', ChatParseErrorCode.BadArgument, /only 'follow' may come here/],
      ['logs api on web-1 follow 20', ChatParseErrorCode.ExtraArgument, /Unexpected '20'/],
    ]],
    ['alerts', [
      ['alerts', { name: 'alerts', filter: 'open' }],
      ['alerts active', { name: 'alerts', filter: 'active' }],
      ['alerts ALL', { name: 'alerts', filter: 'all' }],
    ], [
      ['alerts resolved', ChatParseErrorCode.BadArgument, /not one of open, active, all/],
    ]],
    ['ack', [
      [`ack ${ALERT}`, { name: 'ack', alert: ALERT, note: null }],
      [`ack ${ALERT.toUpperCase()} on it,  now`, { name: 'ack', alert: ALERT, note: 'on it,  now' }],
      ['ack 3f2a9c1e', { name: 'ack', alert: '3f2a9c1e', note: null }],
    ], [
      ['ack', ChatParseErrorCode.MissingArgument, /Missing alertId/],
      ['ack web-1', ChatParseErrorCode.BadArgument, /not an alert id/],
      ['ack 3f2a', ChatParseErrorCode.BadArgument, /first 8 characters/],
    ]],
    ['resolve', [
      [`resolve ${ALERT}`, { name: 'resolve', alert: ALERT, note: null }],
      [`close ${ALERT} fixed`, { name: 'resolve', alert: ALERT, note: 'fixed' }],
    ], [
      ['resolve', ChatParseErrorCode.MissingArgument, /Missing alertId/],
    ]],
    ['silence', [
      ['silence web-1 30m deploying v2', { name: 'silence', target: 'web-1', duration: '30m', durationMs: 1_800_000, reason: 'deploying v2' }],
      ['mute all 1W holidays', { name: 'silence', target: 'all', duration: '1w', durationMs: 604_800_000, reason: 'holidays' }],
    ], [
      ['silence web-1 30m', ChatParseErrorCode.MissingArgument, /Missing reason/],
      ['silence web-1 soon deploying', ChatParseErrorCode.BadArgument, /not a duration such as 30m/],
      ['silence web-1 30s deploying', ChatParseErrorCode.BadArgument, /from 1m to 366d/],
      ['silence web-1 400d deploying', ChatParseErrorCode.BadArgument, /from 1m to 366d/],
      ['silence', ChatParseErrorCode.MissingArgument, /Missing server\|all/],
    ]],
    ['history', [
      ['history web-1', { name: 'history', server: 'web-1' }],
      ['history', { name: 'history', server: null }],
    ], [
      ['history web-1 web-2', ChatParseErrorCode.ExtraArgument, /Unexpected/],
    ]],
    ['confirm', [
      ['confirm 5Jx0q1m2sXvL8rA9bC3dEf', { name: 'confirm', token: '5Jx0q1m2sXvL8rA9bC3dEf' }],
    ], [
      ['confirm', ChatParseErrorCode.MissingArgument, /Missing token/],
      ['confirm x', ChatParseErrorCode.BadArgument, /not a confirmation token/],
    ]],
    ['cancel', [
      ['cancel 5Jx0q1m2sXvL8rA9bC3dEf', { name: 'cancel', token: '5Jx0q1m2sXvL8rA9bC3dEf' }],
    ], [
      ['cancel', ChatParseErrorCode.MissingArgument, /Missing token/],
      ['cancel x', ChatParseErrorCode.BadArgument, /not a confirmation token/],
    ]],
  ])('%s', (_name, good, wrong) => {
    it.each(good)('reads %j', (text, expected) => expect(ok(text)).toEqual(expected));
    it.each(wrong)('refuses %j with %s', (text, code, message) => {
      const e = bad(text);
      expect(e.code).toBe(code);
      expect(e.message).toMatch(message);
    });
  });

  it('every command of the table has a test above, a description and an example that parses to it', () => {
    for (const name of COMMAND_NAMES) {
      const spec = specOf(name);
      expect(spec.description.length).toBeGreaterThan(10);
      expect(spec.examples.length).toBeGreaterThan(0);
      for (const e of spec.examples) expect(ok(e).name).toBe(name);
      expect(usage(spec).startsWith(name)).toBe(true);
    }
  });

  it('answers an empty message and an unknown command with the closest names', () => {
    expect(bad('   ').code).toBe(ChatParseErrorCode.Empty);
    const e = bad('stauts web-1');
    expect(e).toMatchObject({ code: ChatParseErrorCode.UnknownCommand, suggestions: ['status'] });
    expect(e.message).toBe("Unknown command 'stauts' — did you mean status? (`help` lists them)");
    expect(bad('xyzzy').suggestions).toEqual([]);
    expect(bad('x'.repeat(5000)).code).toBe(ChatParseErrorCode.TooLong);
  });

  it('tells destructive commands apart', () => {
    expect(kindOf(ok('run web-1 -- ls'))).toBe('destructive');
    expect(kindOf(ok('docker restart api on web-1'))).toBe('destructive');
    expect(kindOf(ok('docker kill api on web-1'))).toBe('destructive');
    expect(kindOf(ok('docker start api on web-1'))).toBe('mutating');
    expect(kindOf(ok(`ack ${ALERT}`))).toBe('mutating');
    expect(kindOf(ok('status'))).toBe('read');
  });

  it('never throws, whatever the text (property)', () => {
    const words = fc.constantFrom(...COMMAND_NAMES, 'on', '--', 'web-1', '1h', '30m', 'all', ALERT, '', ' ', '\t', '\u0000', '💥', '/');
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.array(words, { maxLength: 12 }).map((w) => w.join(' ')), fc.string({ unit: 'binary', maxLength: 100 })), (text) => {
      const r = parse(text);
      expect(typeof r.ok).toBe('boolean');
      if (!r.ok) expect(r.error.message.length).toBeGreaterThan(0);
      expect(Array.isArray(complete(text, { servers: ['web-1'], containers: ['api'], tags: ['prod'] }))).toBe(true);
    }), { numRuns: 2000 });
  });

  it('reads back what it formats (round trip, property)', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9._-]{0,20}$/).filter((s) => s !== 'on' && s !== '--');
    const words = fc.array(fc.stringMatching(/^[^\s]{1,10}$/), { minLength: 1, maxLength: 5 }).map((w) => w.join(' '));
    const server = fc.option(name, { nil: null });
    const alert = fc.uuid().map((u) => u.toLowerCase());
    const command: fc.Arbitrary<ParsedCommand> = fc.oneof(
      server.map((s) => ({ name: 'status' as const, target: s })),
      name.map((s) => ({ name: 'top' as const, server: s })),
      fc.record({ server: name, range: fc.constantFrom(...CHAT_METRIC_RANGES) }).map((r) => ({ name: 'metrics' as const, ...r })),
      fc.record({ server, command: words }).map((r) => ({ name: 'run' as const, ...r })),
      fc.record({ action: fc.constantFrom(...CHAT_DOCKER_ACTIONS), container: name, server }).map((r) => ({ name: 'docker' as const, ...r })),
      fc.record({ container: name, server, lines: fc.integer({ min: 1, max: 500 }), follow: fc.boolean() }).map((r) => ({ name: 'logs' as const, ...r })),
      fc.record({ alert, note: fc.option(words, { nil: null }) }).map((r) => ({ name: 'ack' as const, ...r })),
      fc.record({ target: name, n: fc.integer({ min: 1, max: 300 }), reason: words })
        .map(({ target, n, reason }) => ({ name: 'silence' as const, target, duration: `${n}h`, durationMs: n * 3_600_000, reason })),
    );
    fc.assert(fc.property(command, (cmd) => expect(ok(formatCommand(cmd))).toEqual(cmd)), { numRuns: 1000 });
  });
});

describe('closest names', () => {
  it('measures edits, transpositions included, case-insensitively', () => {
    expect(editDistance('web1', 'web-1')).toBe(1);
    expect(editDistance('stauts', 'status')).toBe(1);
    expect(editDistance('WEB-1', 'web-1')).toBe(0);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('a', 'abcdef', 2)).toBe(3);
  });

  it('suggests the nearest first, prefixes too, nothing far off', () => {
    expect(closest('web1', ['web-1', 'web-2', 'db-1', 'web-10'])).toEqual(['web-1']);
    expect(closest('web', ['web-1', 'web-2', 'db-1'])).toEqual(['web-1', 'web-2']);
    expect(closest('db', ['db-primary', 'web-1'])).toEqual(['db-primary']);
    expect(closest('zzz', ['web-1'])).toEqual([]);
  });
});

describe('completion', () => {
  const sources = { servers: ['web-1', 'web-2', 'db-1'], containers: ['api', 'nginx'], tags: ['prod'] };
  const labels = (text: string) => complete(text, sources).map((c) => c.label);

  it('completes command names, then each argument from the command table', () => {
    expect(labels('')).toEqual(COMMAND_NAMES.filter((n) => n !== 'confirm' && n !== 'cancel'));
    expect(labels('st')).toEqual(['status']);
    expect(labels('top w')).toEqual(['web-1', 'web-2']);
    expect(labels('status ')).toEqual(['web-1', 'web-2', 'db-1', 'prod']);
    expect(labels('silence ')).toEqual(['all', 'web-1', 'web-2', 'db-1', 'prod']);
    expect(labels('docker re')).toEqual(['restart']);
    expect(labels('docker restart n')).toEqual(['nginx']);
    expect(labels('docker restart api ')).toEqual(['on']);
    expect(labels('docker restart api on d')).toEqual(['db-1']);
    expect(labels('logs api on web-1 ')).toEqual([]);
    expect(labels('metrics web-1 ')).toEqual([...CHAT_METRIC_RANGES]);
    expect(labels('run web-1 ')).toEqual(['--']);
    expect(labels('run web-1 -- d')).toEqual([]);
    expect(labels('help do')).toEqual(['docker']);
  });

  it('gives the whole new input for each item', () => {
    expect(complete('docker restart api on  d', sources)).toEqual([{ text: 'docker restart api on  db-1 ', label: 'db-1', kind: 'server' }]);
  });
});
