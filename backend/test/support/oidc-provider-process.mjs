// A real OpenID Connect provider for tests (npm oidc-provider), in its own Node process because
// oidc-provider is ESM-only and Jest runs CommonJS. One confidential client (code + PKCE); the
// interaction signs in the "current" test user at once and grants consent, so a browser or an
// HTTP client following redirects goes straight back to the relying party.
//
// env: OIDC_TEST_PORT (0: any), OIDC_TEST_CLIENT_ID, OIDC_TEST_CLIENT_SECRET, OIDC_TEST_REDIRECT_URI,
//      OIDC_TEST_USERS = {"<accountId>": {email, email_verified, name, preferred_username, groups}, ...}
// control (test only): POST /test/login-as?user=<accountId>, POST /test/deny?on=1|0,
//      POST /test/groups?user=<accountId>&groups=<a,b> (the groups claim of later sign-ins)
// prints one line `{"issuer":"http://127.0.0.1:<port>"}` when it listens.
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const users = JSON.parse(process.env.OIDC_TEST_USERS ?? '{}');
let current = Object.keys(users)[0];
let deny = false;

const server = createServer();
await new Promise((resolve) => server.listen(Number(process.env.OIDC_TEST_PORT ?? 0), '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.OIDC_TEST_CLIENT_ID,
    client_secret: process.env.OIDC_TEST_CLIENT_SECRET,
    redirect_uris: [process.env.OIDC_TEST_REDIRECT_URI],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  cookies: { keys: ['chatops-test-provider-cookie-key'] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username', 'groups'] },
  features: { devInteractions: { enabled: false } },
  pkce: { required: () => true },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  findAccount: (_ctx, id) => (users[id] ? { accountId: id, claims: () => ({ sub: id, ...users[id] }) } : undefined),
});
const handle = provider.callback();

server.on('request', async (req, res) => {
  const url = new URL(req.url, issuer);
  try {
    if (req.method === 'POST' && url.pathname === '/test/login-as') {
      current = url.searchParams.get('user');
      return res.writeHead(204).end();
    }
    if (req.method === 'POST' && url.pathname === '/test/groups' && users[url.searchParams.get('user')]) {
      users[url.searchParams.get('user')].groups = (url.searchParams.get('groups') ?? '').split(',').filter(Boolean);
      return res.writeHead(204).end();
    }
    if (req.method === 'POST' && url.pathname === '/test/deny') {
      deny = url.searchParams.get('on') === '1';
      return res.writeHead(204).end();
    }
    if (url.pathname.startsWith('/interaction/')) {
      const details = await provider.interactionDetails(req, res);
      if (deny) {
        return await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The test user declined' }, { mergeWithLastSubmission: false });
      }
      if (details.prompt.name === 'login') {
        return await provider.interactionFinished(req, res, { login: { accountId: current } }, { mergeWithLastSubmission: false });
      }
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
      const missing = details.prompt.details;
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      const grantId = await grant.save();
      return await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    }
    return handle(req, res);
  } catch (err) {
    res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err && err.message));
  }
});

process.stdout.write(JSON.stringify({ issuer }) + '\n');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
