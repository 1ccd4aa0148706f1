// A real OpenID Connect provider for the tests (panva's certified oidc-provider), on loopback only.
//
//   node tests/oidc/provider.mjs --port 0 --client-id app --client-secret s3cret \
//     --redirect-uri http://localhost:8501/oauth2callback [--redirect-uri ...]
//
// Every option can come from the environment instead: OIDC_PORT, OIDC_CLIENT_ID,
// OIDC_CLIENT_SECRET, OIDC_REDIRECT_URIS (separated by spaces or commas) and
// OIDC_TOKEN_AUTH_METHOD (client_secret_basic, Authlib's default, or client_secret_post).
// Port 0 takes a free port. Once listening it prints "ready http://127.0.0.1:PORT" (the issuer).
// With OIDC_EXIT_WITH_STDIN=1 it also ends when its standard input closes (its parent is gone).
//
// Sign-in is this file's own small pages (oidc-provider's devInteractions load a stylesheet from
// a font host on the internet): a login form whose login is a test user's name (any password),
// then a consent page, then back to the client. Users: anna and bert (USERS below).

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const USERS = {
  anna: { sub: 'anna-0001', email: 'anna@example.nl', name: 'Anna de Vries', given_name: 'Anna', family_name: 'de Vries' },
  bert: { sub: 'bert-0002', email: 'bert@example.nl', name: 'Bert Jansen', given_name: 'Bert', family_name: 'Jansen' },
};
const BY_SUB = Object.fromEntries(Object.values(USERS).map((u) => [u.sub, u]));

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
    'token-auth-method': { type: 'string' },
  },
});
const env = process.env;
const port = Number(args.port ?? env.OIDC_PORT ?? 0);
const clientId = args['client-id'] ?? env.OIDC_CLIENT_ID ?? 'streamlit-test';
const clientSecret = args['client-secret'] ?? env.OIDC_CLIENT_SECRET;
const redirectUris = args['redirect-uri'] ?? (env.OIDC_REDIRECT_URIS ?? '').split(/[\s,]+/).filter(Boolean);
const tokenAuthMethod = args['token-auth-method'] ?? env.OIDC_TOKEN_AUTH_METHOD ?? 'client_secret_basic';
if (!clientSecret || !redirectUris.length || !Number.isInteger(port)) {
  console.error('usage: provider.mjs --port N --client-id ID --client-secret SECRET --redirect-uri URI...'
    + ' (or OIDC_PORT, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URIS)');
  process.exit(2);
}

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
// no external stylesheet, font or script: the browser under test fetches nothing off this machine
const page = (title, body) => `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:sans-serif;max-width:28em;margin:3em auto}label,input,button{display:block;margin:.4em 0}</style>
</head><body><h1>${esc(title)}</h1>${body}</body></html>`;

async function formBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function loginPage(uid, error) {
  return page('Sign in to the test provider', `
${error ? `<p role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}/login" autocomplete="off">
  <label for="login">Login</label><input id="login" name="login" required autofocus>
  <label for="password">Password</label><input id="password" name="password" type="password">
  <button type="submit">Sign in</button>
</form>
<p><a href="/interaction/${esc(uid)}/abort">Cancel</a></p>`);
}

function consentPage(uid, client, details, accountId) {
  const scopes = (details.missingOIDCScope ?? []).filter((s) => s !== 'openid');
  const claims = (details.missingOIDCClaims ?? []).filter((c) => !['sub', 'sid', 'auth_time', 'acr', 'amr', 'iss'].includes(c));
  return page('Allow access', `
<p>${esc(client.clientName ?? client.clientId)} asks to sign you in as ${esc(BY_SUB[accountId]?.name ?? accountId)}.</p>
${scopes.length ? `<p>Scopes: ${scopes.map(esc).join(', ')}</p>` : ''}
${claims.length ? `<p>Claims: ${claims.map(esc).join(', ')}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}/confirm"><button type="submit">Allow</button></form>
<p><a href="/interaction/${esc(uid)}/abort">Deny</a></p>`);
}

// the interaction routes (configuration.interactions.url points here); null if the path is not one
async function interaction(provider, ctx) {
  const match = /^\/interaction\/([^/]+)(?:\/(login|confirm|abort))?$/.exec(ctx.path);
  if (!match) return null;
  const [, , action] = match;
  ctx.set('cache-control', 'no-store');
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const { uid, prompt, params, session } = details;

  if (!action && ctx.method === 'GET') {
    const client = await provider.Client.find(params.client_id);
    ctx.type = 'html';
    ctx.body = prompt.name === 'login' ? loginPage(uid) : consentPage(uid, client, prompt.details, session?.accountId);
    return true;
  }
  if (action === 'abort' && ctx.method === 'GET') {
    await provider.interactionFinished(ctx.req, ctx.res, {
      error: 'access_denied', error_description: 'End-User aborted interaction',
    }, { mergeWithLastSubmission: false });
    return true;
  }
  if (action === 'login' && ctx.method === 'POST' && prompt.name === 'login') {
    const login = ((await formBody(ctx.req)).get('login') ?? '').trim().toLowerCase();
    const user = USERS[login];
    if (!user) {
      ctx.type = 'html';
      ctx.body = loginPage(uid, `No test user "${login}": use one of ${Object.keys(USERS).join(', ')}.`);
      return true;
    }
    await provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: user.sub } }, {
      mergeWithLastSubmission: false,
    });
    return true;
  }
  if (action === 'confirm' && ctx.method === 'POST' && prompt.name === 'consent') {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    for (const [indicator, scope] of Object.entries(prompt.details.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scope.join(' '));
    }
    const grantId = await grant.save();
    await provider.interactionFinished(ctx.req, ctx.res, { consent: details.grantId ? {} : { grantId } }, {
      mergeWithLastSubmission: true,
    });
    return true;
  }
  ctx.status = 400;
  ctx.type = 'html';
  ctx.body = page('Unexpected step', `<p>${esc(ctx.method)} ${esc(ctx.path)} during the ${esc(prompt.name)} prompt.</p>`);
  return true;
}

const server = createServer();
server.listen(port, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-rs256', alg: 'RS256', use: 'sig' };

  const provider = new Provider(issuer, {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      client_name: 'Streamlit under test',
      redirect_uris: redirectUris,
      post_logout_redirect_uris: redirectUris, // st.logout() returns through /oauth2callback
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: tokenAuthMethod,
    }],
    scopes: ['openid', 'email', 'profile'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name'],
    },
    // Authlib (and so st.user) reads the claims from the ID token, not from the userinfo endpoint:
    // put the scopes' claims in the ID token too (the spec's default keeps them to userinfo).
    conformIdTokenClaims: false,
    async findAccount(ctx, sub) {
      const user = BY_SUB[sub];
      if (!user) return undefined;
      return {
        accountId: sub,
        async claims() { return { ...user, email_verified: true }; },
      };
    },
    jwks: { keys: [jwk] },
    ttl: { AccessToken: 3600, AuthorizationCode: 60, Grant: 3600, IdToken: 3600, Interaction: 600, Session: 3600 },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          ctx.body = page('Sign out of the test provider', `${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button>`);
        },
        async postLogoutSuccessSource(ctx) {
          ctx.body = page('Signed out', '<p>You are signed out of the test provider.</p>');
        },
      },
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Test provider error', `<pre>${esc(JSON.stringify(out, null, 2))}</pre>`);
    },
  });

  provider.use(async (ctx, next) => {
    // Streamlit asks for prompt=select_account (its default), a value oidc-provider does not
    // implement: choosing an account here is signing in again, so ask for the login prompt instead.
    if (ctx.path === '/auth' && typeof ctx.query.prompt === 'string' && ctx.query.prompt.includes('select_account')) {
      const prompts = new Set(ctx.query.prompt.split(' ').filter(Boolean));
      prompts.delete('select_account');
      prompts.add('login');
      ctx.query = { ...ctx.query, prompt: [...prompts].join(' ') };
    }
    if (!(await interaction(provider, ctx))) await next();
  });
  provider.on('server_error', (ctx, err) => console.error('server_error', err));

  server.on('request', provider.callback());
  console.log(`ready ${issuer}`);
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (env.OIDC_EXIT_WITH_STDIN === '1') {
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}
