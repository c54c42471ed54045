import type { BrowserAuthResponse, Server, User } from '@chatops/protocol';

export const USER: User = {
  id: '11111111-1111-4111-8111-111111111111',
  email: 'ada@example.com',
  username: 'ada',
  fullName: 'Ada Lovelace',
  role: 'admin',
  createdAt: '2026-01-01T00:00:00.000Z',
};

/** What the server answers the dashboard (cookie mode): the refresh token is only in the HttpOnly cookie. */
export function authResponse(n: number, user: User = USER, expiresIn = 1800): BrowserAuthResponse {
  return { user, accessToken: `access-${n}`, tokenType: 'Bearer', expiresIn };
}

export function server(partial: Partial<Server> & { id: string; name: string }): Server {
  return {
    host: null, port: null, metadata: {}, status: 'unknown', lastSeen: null,
    createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', agent: null, tags: [],
    ...partial,
  };
}
