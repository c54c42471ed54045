import SwaggerParser from '@apidevtools/swagger-parser';
import { CAPABILITIES } from '@chatops/protocol';
import { startTestApp, TestApp } from './support/app';

/** The served OpenAPI document is valid, complete and matches the contract's routes. */
describe('OpenAPI document', () => {
  let t: TestApp;
  let doc: any;
  beforeAll(async () => {
    t = await startTestApp();
    doc = (await t.http().get('/api/docs-json').expect(200)).body;
  });
  afterAll(async () => { await t.close(); });

  it('passes a real OpenAPI validator with zero errors', async () => {
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeDefined();
  });

  it('serves Swagger UI', async () => {
    const res = await t.http().get('/api/docs').redirects(1).expect(200);
    expect(res.text).toContain('swagger-ui');
  });

  it('documents every contract route with a unique operationId, schemas, auth and errors', async () => {
    const expected = [
      'post /api/v1/auth/register', 'post /api/v1/auth/login', 'post /api/v1/auth/refresh', 'post /api/v1/auth/logout',
      'get /api/v1/auth/me', 'get /api/v1/servers', 'post /api/v1/servers', 'get /api/v1/servers/{id}',
      'put /api/v1/servers/{id}', 'delete /api/v1/servers/{id}', 'post /api/v1/api-keys',
      'get /api/v1/api-keys/server/{serverId}', 'post /api/v1/api-keys/{id}/deactivate', 'delete /api/v1/api-keys/{id}',
      'get /api/v1/api-keys/me', 'get /api/v1/audit', 'get /api/v1/metrics/{serverId}', 'get /api/v1/metrics/{serverId}/latest',
      'get /api/v1/metrics/{serverId}/history', 'get /health', 'get /health/ready',
      'post /api/v1/chatops/messages', 'get /api/v1/chatops/history', 'get /api/v1/chatops/complete', 'get /api/v1/chatops/settings',
      'put /api/v1/chatops/settings', 'post /api/v1/chatops/mattermost-actions',
    ];
    const ops = Object.entries(doc.paths).flatMap(([path, item]: [string, any]) =>
      Object.entries(item).map(([method, op]: [string, any]) => ({ key: `${method} ${path}`, op })));
    expect(ops.map((o) => o.key)).toEqual(expect.arrayContaining(expected));
    const ids = ops.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { key, op } of ops) {
      // A browser redirect (single sign-on login and callback) succeeds with a 302.
      const success = Object.keys(op.responses).filter((s) => s.startsWith('2') || s === '302');
      expect({ key, success: success.length > 0 }).toEqual({ key, success: true });
      if (key.startsWith('get /health')) continue;
      // The single sign-on callback is a browser redirect: it answers every failure with a redirect to the sign-in page.
      if (key === 'get /api/v1/auth/oidc/callback') continue;
      expect({ key, has400or401: '400' in op.responses || '401' in op.responses }).toEqual({ key, has400or401: true });
      const body = op.requestBody?.content?.['application/json']?.schema;
      if (['post', 'put'].includes(key.split(' ')[0]) && body) expect(body.$ref).toMatch(/Dto$/);
    }
    const secured = ops.filter((o) => o.key.startsWith('get /api/v1/servers'));
    for (const { op } of secured) expect(op.security).toEqual([{ bearer: [] }]);
    expect(doc.components.schemas.ErrorResponse.required).toEqual(expect.arrayContaining(['statusCode', 'error', 'message', 'requestId']));
  });

  it('documents the personal API token scopes: the capability names, and x-token-scope on team changes and admin routes', () => {
    const scopes = doc.components.schemas.CreatePersonalTokenDto.properties.scopes;
    expect(JSON.stringify(scopes)).toContain('docker.action');
    expect(doc.components.schemas.PersonalTokenResponse.properties.scopes.items.enum).toEqual([...CAPABILITIES, 'admin']);
    expect(doc.paths['/api/v1/teams'].post['x-token-scope']).toBe('members.manage');
    expect(doc.paths['/api/v1/teams/{id}/members/{userId}'].delete['x-token-scope']).toBe('members.manage');
    expect(doc.paths['/api/v1/teams'].get['x-token-scope']).toBeUndefined();
    expect(doc.paths['/api/v1/admin/users'].get['x-token-scope']).toBe('admin');
  });

  it('documents the key prefix that tells API keys apart', () => {
    const apiKey = doc.components.schemas.ApiKeyResponse;
    expect(apiKey.required).toContain('keyPrefix');
    expect(apiKey.properties.keyPrefix).toMatchObject({ type: 'string', description: expect.stringContaining('tell keys apart') });
  });
});
