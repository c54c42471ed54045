import { channelRequest, validateChannel } from './channel-dialog.component';

const webhook = { name: 'Ops hook', type: 'webhook' as const, enabled: true, url: 'https://hooks.example.com/x', secret: 'a'.repeat(16), emailTo: '' };

describe('channel form', () => {
  it('asks for what each type needs (docs/api.md "Notifications")', () => {
    expect(validateChannel(webhook, false)).toEqual({});
    expect(validateChannel({ ...webhook, secret: 'short' }, false)['secret']).toContain('16 to 256');
    expect(validateChannel({ ...webhook, url: 'ftp://x' }, false)['url']).toContain('http(s)');
    expect(validateChannel({ ...webhook, name: ' ' }, false)['name']).toBeDefined();
    expect(validateChannel({ ...webhook, type: 'slack', secret: '' }, false)).toEqual({});
    expect(validateChannel({ ...webhook, type: 'email', emailTo: '' }, false)['emailTo']).toContain('1 to 20');
    expect(validateChannel({ ...webhook, type: 'email', emailTo: 'a@b.test, nope' }, false)['emailTo']).toContain('name@example.com');
    // editing: empty url and secret keep the stored ones
    expect(validateChannel({ ...webhook, url: '', secret: '' }, true)).toEqual({});
  });

  it('sends only the fields of the type, and no type on edit', () => {
    expect(channelRequest({ ...webhook, type: 'email', emailTo: 'a@b.test; c@d.test' }, false)).toEqual({ name: 'Ops hook', type: 'email', enabled: true, emailTo: ['a@b.test', 'c@d.test'] });
    expect(channelRequest({ ...webhook, type: 'slack' }, false)).toEqual({ name: 'Ops hook', type: 'slack', enabled: true, url: 'https://hooks.example.com/x' });
    expect(channelRequest({ ...webhook, url: '', secret: '' }, true)).toEqual({ name: 'Ops hook', enabled: true });
  });
});
