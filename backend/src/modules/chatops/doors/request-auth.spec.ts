import { checkSlackSignature, sameSecret, slackSignature } from './request-auth';

describe('Slack request signing', () => {
  const secret = '8f742231b10e8888abcd99yyyzzz85a5';
  const body = Buffer.from('token=x&team_id=T1&user_id=U1&text=status');
  const now = 1_764_300_000;

  it('accepts the signature Slack computes, and nothing else', () => {
    const sig = slackSignature(secret, String(now), body);
    expect(sig).toMatch(/^v0=[0-9a-f]{64}$/);
    expect(checkSlackSignature(secret, String(now), body, sig, now)).toBe('ok');
    expect(checkSlackSignature('another-secret', String(now), body, sig, now)).toBe('bad');
    expect(checkSlackSignature(secret, String(now), Buffer.concat([body, Buffer.from('x')]), sig, now)).toBe('bad');
    expect(checkSlackSignature(secret, String(now + 1), body, sig, now)).toBe('bad');
    expect(checkSlackSignature(secret, String(now), body, undefined, now)).toBe('bad');
    expect(checkSlackSignature(secret, undefined, body, sig, now)).toBe('bad');
    expect(checkSlackSignature(secret, '12e3', body, sig, now)).toBe('bad');
  });

  it('refuses a timestamp more than five minutes away', () => {
    const old = String(now - 301);
    expect(checkSlackSignature(secret, old, body, slackSignature(secret, old, body), now)).toBe('stale');
    const edge = String(now - 300);
    expect(checkSlackSignature(secret, edge, body, slackSignature(secret, edge, body), now)).toBe('ok');
  });

  it('compares secrets of any length', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abd')).toBe(false);
    expect(sameSecret('abc', 'abcd')).toBe(false);
    expect(sameSecret('abc', '')).toBe(false);
  });
});
