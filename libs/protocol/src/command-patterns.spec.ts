import {
  commandSegments, compilePattern, dangerousReason, findAllowMatch, findDenyMatch, parsePatterns, PatternError,
} from './command-patterns';

describe('command patterns', () => {
  describe('allow (whole command)', () => {
    const allow = parsePatterns(['uptime', 'df *', 'systemctl status ?*', 're:journalctl -u [a-z-]+ -n \\d{1,4}']);
    it.each([
      ['uptime', 'uptime'],
      ['  uptime  ', 'uptime'],
      ['df -h', 'df *'],
      ['df', null], // `df *` needs the space
      ['systemctl status nginx', 'systemctl status ?*'],
      ['journalctl -u web-api -n 200', 're:journalctl -u [a-z-]+ -n \\d{1,4}'],
      ['uptime -p', null],
      ['journalctl -u web-api -n 20000', null],
    ])('%j → %s', (command, expected) => {
      expect(findAllowMatch(allow, command)?.source ?? null).toBe(expected);
    });

    it.each([
      'df -h; rm -rf /', 'df -h && reboot', 'df -h | sh', 'df $(reboot)', 'df `reboot`', 'df > /etc/passwd',
      'df -h\nreboot', 'df -h & reboot', 'df <(reboot)',
    ])('a wildcard never spans shell control characters: %j', (command) => {
      expect(findAllowMatch(allow, command)).toBeNull();
    });

    it('treats regex characters in plain patterns literally', () => {
      const [p] = parsePatterns(['cat /etc/os-release.d+']);
      expect(p.regex.test('cat /etc/os-release.d+')).toBe(true);
      expect(p.regex.test('cat /etc/os-releaseXdd')).toBe(false);
    });
  });

  describe('deny (whole command or any segment)', () => {
    const deny = parsePatterns(['rm *', 'reboot', 're:.*\\bshutdown\\b.*']);
    it.each([
      ['rm -rf /tmp/x', 'rm *'],
      ['ls; rm -rf /', 'rm *'],
      ['true && reboot', 'reboot'],
      ['echo hi | shutdown now', 're:.*\\bshutdown\\b.*'],
      ['ls -la', null],
      ['echo rm -rf', null],
    ])('%j → %s', (command, expected) => {
      expect(findDenyMatch(deny, command)?.source ?? null).toBe(expected);
    });
  });

  it('skips comments and blank lines and names the line of an error', () => {
    expect(parsePatterns('# ops\n\nuptime\n  # indented comment\ndf *\n').map((p) => p.source)).toEqual(['uptime', 'df *']);
    expect(() => parsePatterns('uptime\nre:(unclosed')).toThrow(/^line 2: invalid regular expression/);
    expect(() => compilePattern('re:')).toThrow(PatternError);
    expect(() => compilePattern('x'.repeat(513))).toThrow(/longer than 512/);
    expect(() => parsePatterns(Array.from({ length: 501 }, (_, i) => `cmd${i}`))).toThrow(/more than 500/);
  });

  it('splits segments at control operators', () => {
    expect(commandSegments('a; b && c || d | e & f\ng')).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  });

  it.each([
    ['rm -rf /var/tmp/x', true], ['sudo rm -f a', true], ['rm a.txt', false], ['ls && reboot', true],
    ['shutdown -h now', true], ['mkfs.ext4 /dev/sdb1', true], ['dd if=/dev/zero of=/dev/sda', true],
    ['dd if=a', false], ['echo reboot', false], ['uname -a', false], ['cat x > /dev/sda', true],
    ['init 6', true], ['systemctl reboot', true], ['systemctl status reboot', false],
  ])('dangerousReason(%j) is %s', (command, dangerous) => {
    expect(dangerousReason(command) !== null).toBe(dangerous);
  });
});
