// A real OpenID provider on loopback for the API tests, so token checks run
// against an actual issuer (discovery, JWKS, client_credentials) instead of
// hand-made fixtures. Test harness only: it keeps everything in memory, its
// client secrets are public and its /test/ routes mint tokens for anyone.
//
// Start: `node provider.js` (PORT=0 by default, i.e. any free port). The one
// line on stdout is `{"issuer":"http://127.0.0.1:<port>"}`; everything else
// goes to stderr. The process exits when its stdin closes, so keep a pipe open
// (a test's child process with a piped stdin does this by itself).
import * as crypto from 'node:crypto';
import * as http from 'node:http';

import Provider, { errors } from 'oidc-provider';

// stdout carries exactly one line; oidc-provider prints its notices with
// console.info, so send those (and any stray console.log) to stderr.
console.log = console.info = (...args) => console.error(...args);

const HOST = '127.0.0.1';
const AUDIENCE = 'tenant-settings';
// The one resource server; it is the default, so a plain client_credentials
// request needs no `resource` parameter.
const RESOURCE = 'urn:consent-api';
const TOKEN_TTL = 600;
const ALGS = ['RS256', 'ES256', 'EdDSA'];

const SCOPES = {
  tenants: 'consent.tenants.write',
  decisions: 'consent.decisions.read',
  subscriptions: 'consent.subscriptions.write',
  deletions: 'consent.deletions.attest',
};

// Static clients: each may ask for exactly the scopes listed here.
const CLIENTS = [
  ['provisioner', [SCOPES.tenants]],
  ['pipeline', [SCOPES.decisions]],
  ['webhooks', [SCOPES.subscriptions]],
  ['eraser', [SCOPES.deletions]],
  // The data stores' own clients, as content/stores.json names them.
  ['copilot-eraser', [SCOPES.deletions]],
  ['marketing-eraser', [SCOPES.deletions]],
  ['schema-eraser', [SCOPES.deletions]],
  ['everything', Object.values(SCOPES)],
].map(([id, scopes]) => ({
  client_id: id,
  client_secret: `${id}-secret`,
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
  // Registered as basic, but oidc-provider accepts client_secret_post for
  // a client registered with either secret method.
  token_endpoint_auth_method: 'client_secret_basic',
  scope: scopes.join(' '),
}));

// RFC 7638 thumbprint, so every generated key gets a unique, stable kid.
function thumbprint(jwk) {
  const members = jwk.kty === 'RSA' ? ['e', 'kty', 'n']
    : jwk.kty === 'EC' ? ['crv', 'kty', 'x', 'y']
      : ['crv', 'kty', 'x'];
  const canonical = JSON.stringify(Object.fromEntries(members.map((m) => [m, jwk[m]])));
  return crypto.createHash('sha256').update(canonical).digest('base64url');
}

function generateKey(alg) {
  const { privateKey } = alg === 'RS256' ? crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
    : alg === 'ES256' ? crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : crypto.generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const kid = `${alg.toLowerCase()}-${thumbprint(jwk)}`;
  return { alg, kid, privateKey, jwk: { ...jwk, kid, alg, use: 'sig' } };
}

// Published keys, newest first: this is the JWKS order.
const published = [generateKey('RS256'), generateKey('ES256')];
// One key per alg that is never published, for unknown-kid tests.
const unpublished = {};

const newest = (alg) => published.find((k) => k.alg === alg);

let issuer;
let handler; // the current provider's request handler

// oidc-provider fixes its keystore at construction, so every change to the
// published keys builds a new Provider and swaps it in. Clients are static
// config and tokens are self-contained JWTs, so nothing is lost by the swap.
function buildProvider() {
  // Captured now: this instance only knows the keys it was built with.
  const signingKid = newest('RS256').kid;
  const provider = new Provider(issuer, {
    clients: CLIENTS,
    scopes: Object.values(SCOPES),
    jwks: { keys: published.map((k) => k.jwk) },
    cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
    ttl: { ClientCredentials: TOKEN_TTL },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo(ctx, indicator, client) {
          if (indicator !== RESOURCE) throw new errors.InvalidTarget();
          return {
            // Only the client's own scopes are grantable for this API.
            scope: client.scope,
            audience: AUDIENCE,
            accessTokenTTL: TOKEN_TTL,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256', kid: signingKid } },
          };
        },
      },
    },
  });
  provider.on('server_error', (ctx, err) => console.error('server_error', err));
  handler = provider.callback();
}

function publish(key, { first }) {
  if (first) published.unshift(key); else published.push(key);
  buildProvider();
  return key;
}

function signJwt(key, payload) {
  const header = { alg: key.alg, kid: key.kid, typ: 'JWT' };
  const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${b64(header)}.${b64(payload)}`;
  const signature = crypto.sign(key.alg === 'EdDSA' ? null : 'sha256', Buffer.from(input), {
    key: key.privateKey,
    dsaEncoding: 'ieee-p1363', // JWS wants raw r||s for ES256, not DER
  });
  return `${input}.${signature.toString('base64url')}`;
}

class BadRequest extends Error {}

function parseAlg(alg = 'RS256') {
  if (!ALGS.includes(alg)) throw new BadRequest(`alg must be one of ${ALGS.join(', ')}`);
  return alg;
}

function userToken(body) {
  const alg = parseAlg(body.alg);
  const { claims = {} } = body;
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    throw new BadRequest('claims must be an object');
  }
  let key;
  if (body.unpublished) {
    unpublished[alg] ??= generateKey(alg);
    key = unpublished[alg];
  } else {
    // No EdDSA key exists at startup: the first EdDSA request publishes one,
    // appended so the JWKS order the other keys have stays as it was.
    key = newest(alg) ?? publish(generateKey(alg), { first: false });
  }
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    iss: issuer, aud: AUDIENCE, iat: now, exp: now + TOKEN_TTL, ...claims,
  };
  for (const [name, value] of Object.entries(payload)) {
    if (value === null) delete payload[name]; // null removes a default claim
  }
  return { token: signJwt(key, payload), kid: key.kid };
}

function rotate(body) {
  const key = publish(generateKey(parseAlg(body.alg)), { first: true });
  return { kid: key.kid };
}

async function readJson(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 1 << 20) throw new BadRequest('body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return {};
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new BadRequest('body must be JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequest('body must be a JSON object');
  }
  return body;
}

function sendJson(res, status, value) {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

// Test-only routes: they exist because this is a loopback test harness, and
// let a test mint arbitrary user tokens and rotate keys mid-test.
const TEST_ROUTES = {
  'POST /test/user-token': async (req, res) => sendJson(res, 200, userToken(await readJson(req))),
  'POST /test/rotate': async (req, res) => sendJson(res, 200, rotate(await readJson(req))),
  'GET /test/keys': async (req, res) => {
    // The provider's own jwks_uri response, so the two can never differ.
    req.url = '/jwks';
    handler(req, res);
  },
};

async function route(req, res) {
  if (!handler) {
    sendJson(res, 503, { error: 'starting' });
    return;
  }
  const { pathname } = new URL(req.url, issuer);
  if (!pathname.startsWith('/test/')) {
    handler(req, res);
    return;
  }
  const action = TEST_ROUTES[`${req.method} ${pathname}`];
  if (!action) {
    sendJson(res, 404, { error: `no test route ${req.method} ${pathname}` });
    return;
  }
  try {
    await action(req, res);
  } catch (err) {
    if (err instanceof BadRequest) {
      sendJson(res, 400, { error: err.message });
    } else {
      console.error(err);
      sendJson(res, 500, { error: 'internal error' });
    }
  }
}

// Never outlive the test that started us: stop on signals and on stdin EOF.
const stop = () => process.exit(0);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.on('error', stop);
process.stdin.resume();

const server = http.createServer((req, res) => {
  route(req, res).catch((err) => {
    console.error(err);
    if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
  });
});

server.listen(Number(process.env.PORT ?? 0), HOST, () => {
  issuer = `http://${HOST}:${server.address().port}`;
  buildProvider();
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});
