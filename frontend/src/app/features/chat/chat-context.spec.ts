import { serverIdFromUrl } from './chat-context';

describe('serverIdFromUrl', () => {
  const id = '0b7c4a52-3f0e-4c55-9a51-2d2f6f3b9e10';

  it('finds the server of a server page and its tabs', () => {
    expect(serverIdFromUrl(`/servers/${id}`)).toBe(id);
    expect(serverIdFromUrl(`/servers/${id}/commands`)).toBe(id);
    expect(serverIdFromUrl(`/servers/${id}/settings?x=1`)).toBe(id);
    expect(serverIdFromUrl(`/servers/${id}#top`)).toBe(id);
  });

  it('is null elsewhere', () => {
    for (const url of ['/', '/servers/new', '/alerts', `/alerts/${id}`, `/servers/${id}x`, '/chat']) expect(serverIdFromUrl(url)).toBeNull();
  });
});
