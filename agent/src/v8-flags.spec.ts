import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_V8_FLAGS } from './v8-flags';

describe('V8 flags set by the agent itself', () => {
  it('are flags this Node version knows (an unknown one would only print a warning)', () => {
    const known = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });
    for (const flag of AGENT_V8_FLAGS) expect(known).toContain(`  ${flag.replace(/=.*$/, '')} `);
  });

  it('are applied before anything else is loaded: the first import of the CLI', () => {
    const cli = readFileSync(join(__dirname, 'cli.ts'), 'utf8');
    const firstImport = cli.split('\n').find((l) => l.startsWith('import '));
    expect(firstImport).toMatch(/^import '\.\/v8-flags';/);
  });

  it('--max-opt=1 set at run time stops TurboFan for code that runs afterwards', () => {
    const script = `
      require('v8').setFlagsFromString('--max-opt=1');
      function hot(n) { let s = 0; for (let i = 0; i < n; i++) s += (i * 7) % 13; return s; }
      for (let k = 0; k < 3000; k++) hot(5000);
      const status = %GetOptimizationStatus(hot);
      process.stdout.write(String((status & 16) !== 0)); // kOptimized (any optimizing tier)
    `;
    const turbofanned = (flags: string[]) => execFileSync(process.execPath, ['--allow-natives-syntax', ...flags, '-e', script], { encoding: 'utf8' });
    expect(turbofanned([])).toBe('false');
    expect(execFileSync(process.execPath, ['--allow-natives-syntax', '-e', script.replace("require('v8').setFlagsFromString('--max-opt=1');", '')], { encoding: 'utf8' })).toBe('true');
  });
});
