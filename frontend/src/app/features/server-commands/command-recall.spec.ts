import { CommandRecall, RECALL_LIMIT } from './command-recall';

describe('CommandRecall', () => {
  it('walks back through older commands with ↑ and forward to the draft with ↓', () => {
    const r = new CommandRecall(['uptime', 'df -h']);
    expect(r.up('ls -')).toBe('uptime');
    expect(r.up('uptime')).toBe('df -h');
    expect(r.up('df -h')).toBeNull(); // nothing older
    expect(r.down()).toBe('uptime');
    expect(r.down()).toBe('ls -'); // the draft comes back unchanged
    expect(r.down()).toBeNull();
  });

  it('puts a command just run first, once, and restarts from the draft', () => {
    const r = new CommandRecall(['uptime', 'df -h']);
    r.up('');
    r.push('df -h');
    expect(r.entries).toEqual(['df -h', 'uptime']);
    expect(r.up('')).toBe('df -h');
  });

  it('seeds older commands behind the session\'s, without duplicates or blanks, bounded', () => {
    const r = new CommandRecall();
    r.push('whoami');
    r.seed(['whoami', '  ', 'uname -a', 'uname -a']);
    expect(r.entries).toEqual(['whoami', 'uname -a']);
    r.seed(Array.from({ length: RECALL_LIMIT + 10 }, (_, i) => `echo ${i}`));
    expect(r.entries).toHaveLength(RECALL_LIMIT);
  });
});
