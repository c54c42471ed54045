import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstUnreachableDir } from './pg-binaries';

describe('firstUnreachableDir', () => {
  it('names the first folder others cannot traverse, or null when every folder is open', () => {
    const base = mkdtempSync(join(tmpdir(), 'reach-'));
    try {
      chmodSync(base, 0o755);
      mkdirSync(join(base, 'private', 'inner'), { recursive: true });
      chmodSync(join(base, 'private'), 0o700);
      expect(firstUnreachableDir(join(base, 'private', 'inner'))).toBe(join(base, 'private'));
      chmodSync(join(base, 'private'), 0o711);
      expect(firstUnreachableDir(join(base, 'private', 'inner'))).toBeNull();
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
