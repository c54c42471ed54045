import type { AdminUser } from '@chatops/protocol/admin';
import { summarizeBulk } from './admin-users-bulk';

const user = (id: string): AdminUser => ({
  id, email: `${id}@example.com`, username: id, fullName: null, role: 'user', createdAt: '2026-01-01T00:00:00.000Z',
  disabledAt: null, lastLoginAt: null, serverCount: 0, activeSessions: 0,
});
const names = (id: string) => `@${id}`;

describe('summarizeBulk', () => {
  it('splits changed users from refused ones, naming the refused with their reason', () => {
    const s = summarizeBulk('enable', [
      { userId: 'a', ok: true, user: user('a') },
      { userId: 'b', ok: false, code: 'admin.user_not_found', message: 'User not found' },
      { userId: 'c', ok: false, code: 'admin.last_admin', message: 'Cannot disable the last active administrator' },
    ], names);
    expect(s.updated.map((u) => u.id)).toEqual(['a']);
    expect(s.failures).toEqual([
      { userId: 'b', username: '@b', message: 'User not found' },
      { userId: 'c', username: '@c', message: 'Cannot disable the last active administrator' },
    ]);
    expect(s.text).toBe('Enabled 1 user; 2 users refused (@b, @c)');
  });

  it('says only what happened when everything succeeded or everything was refused', () => {
    expect(summarizeBulk('revoke_sessions', [{ userId: 'a', ok: true, user: user('a') }, { userId: 'b', ok: true, user: user('b') }], names).text)
      .toBe('Signed out 2 users');
    expect(summarizeBulk('disable', [{ userId: 'a', ok: false, code: 'admin.self_action', message: 'no' }], names).text).toBe('1 user refused (@a)');
  });
});
