import { startTestApp, registerUser, TestApp } from './support/app';

describe('smoke', () => {
  let t: TestApp;
  beforeAll(async () => { t = await startTestApp(); });
  afterAll(async () => { await t.close(); });

  it('serves health and registers the first user as admin', async () => {
    await t.http().get('/health').expect(200, { status: 'ok' });
    await t.http().get('/health/ready').expect(200);
    const u = await registerUser(t);
    expect(u.user.role).toBe('admin');
    const me = await t.http().get('/api/v1/auth/me').set(u.auth).expect(200);
    expect(me.body.username).toBe(u.user.username);
  });
});
