import { createHash, createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import { jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { badRequest, forbidden, notFound, RetryLaterError, unauthorized } from '../domain/errors.ts';
import type { Actor, Principal } from '../domain/principal.ts';
import { generatePassword, hashPassword, verifyPassword } from '../security/passwords.ts';
import { ConcurrentChange, type Store, type TokenRecord, type UserRecord } from '../store/store.ts';
import { auditedTransaction } from './change-audit.ts';
import { isRefusal, LoginThrottle, type LoginAttempt, type ThrottleReason } from './login-throttle.ts';
import { PasswordCheckGate } from './password-check-gate.ts';

export const DEFAULT_TOKEN_TTL_SECONDS = 365 * 24 * 3600;
const MAX_TOKEN_TTL_SECONDS = 10 * DEFAULT_TOKEN_TTL_SECONDS;
const ISSUER = 'vpngw';
const VERIFIED_CACHE_LIMIT = 1000;
const VERIFIED_CACHE_MS = 5 * 60_000;
// Verified against when the email is unknown, so a wrong email costs as long as a wrong password.
const DECOY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
// scrypt runs on libuv's worker threads (4 by default): more checks at once only queue there.
const PASSWORD_CHECK_SLOTS = 4;
const PASSWORD_CHECK_QUEUE = 64;

/** Why a Basic login was refused before its password was checked. */
export type LoginRefusalReason = ThrottleReason | 'busy';

/** Told about refused logins, for the metrics; the service knows no metrics library. */
export interface LoginObserver {
  refused(reason: LoginRefusalReason): void;
}

export interface AuthServiceDeps {
  store: Store;
  signingKey: Uint8Array;
  now?: () => Date;
  /** Checks a password against a stored hash; scrypt unless a test counts the checks. */
  verifyPassword?: (password: string, stored: string) => Promise<boolean>;
  observer?: LoginObserver;
}

/** Basic and Bearer authentication, token issuing, and the first administrator. */
export class AuthService {
  // Basic auth comes with every SDK request: remember recent successful checks (keyed by a digest
  // that includes the stored hash, so a password change invalidates it) instead of re-running scrypt.
  private readonly verified = new Map<string, number>();
  private readonly verifiedTokens = new Map<string, JWTPayload>();
  private readonly signingKey: KeyObject;
  private readonly throttle: LoginThrottle;
  private readonly gate = new PasswordCheckGate(PASSWORD_CHECK_SLOTS, PASSWORD_CHECK_QUEUE);
  // Basic logins being checked right now, by credentials: the same credentials sent again meanwhile
  // (an SDK's parallel first requests) share the one check instead of running scrypt again.
  private readonly checking = new Map<string, Promise<UserRecord>>();

  constructor(private readonly deps: AuthServiceDeps) {
    this.signingKey = createSecretKey(deps.signingKey);
    this.throttle = new LoginThrottle(() => this.now().getTime());
  }

  private now() {
    return this.deps.now?.() ?? new Date();
  }

  /**
   * The caller of a request from its Authorization header; 401 for anything else. Basic logins from
   * a client address with too many failures are 429 at once, without a password check.
   */
  async authenticate(authorization: string | undefined, clientAddress = ''): Promise<Principal> {
    const [scheme, value] = (authorization ?? '').trim().split(/\s+/, 2);
    if (!scheme || !value) throw unauthorized();
    if (scheme.toLowerCase() === 'basic') return this.authenticateBasic(value, clientAddress);
    if (scheme.toLowerCase() === 'bearer') return this.authenticateBearer(value);
    throw unauthorized();
  }

  private async authenticateBasic(encoded: string, clientAddress: string): Promise<Principal> {
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw unauthorized();
    const email = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const key = createHash('sha256').update(email.toLowerCase()).update('\0').update(password).digest('base64');
    const same = this.checking.get(key);
    if (same) return principalOf(await same);
    const attempt = this.throttle.begin(email, clientAddress);
    if (isRefusal(attempt)) {
      this.deps.observer?.refused(attempt.reason);
      throw new RetryLaterError(429, 'TOO_MANY_LOGIN_ATTEMPTS',
        `Too many failed logins from this address; retry after ${attempt.retryAfterSeconds} s.`, attempt.retryAfterSeconds);
    }
    const check = this.checkCredentials(email, password, attempt);
    this.checking.set(key, check);
    try {
      return principalOf(await check);
    } finally {
      this.checking.delete(key);
    }
  }

  private async checkCredentials(email: string, password: string, attempt: LoginAttempt): Promise<UserRecord> {
    let matches: boolean;
    let user: UserRecord | undefined;
    try {
      user = await this.deps.store.findUserByEmail(email);
      matches = await this.passwordMatches(user, password, attempt.suspect);
    } catch (error) {
      attempt.abandoned(); // the store failed or the checks are busy: no verdict on the password
      throw error;
    }
    if (!matches || !user?.active) {
      attempt.failed();
      throw unauthorized();
    }
    attempt.succeeded();
    return user;
  }

  private async passwordMatches(user: UserRecord | undefined, password: string, suspect: boolean): Promise<boolean> {
    const stored = user?.passwordHash ?? DECOY_HASH;
    const digest = createHash('sha256').update(stored).update('\0').update(password).digest('base64');
    const until = this.verified.get(digest);
    if (user && until !== undefined && until > this.now().getTime()) return true;
    const release = await this.gate.enter(suspect);
    if (!release) {
      this.deps.observer?.refused('busy');
      throw new RetryLaterError(503, 'BUSY', 'Too many logins are being checked right now; retry in a second.', 1);
    }
    let ok: boolean;
    try {
      ok = (await (this.deps.verifyPassword ?? verifyPassword)(password, stored)) && user !== undefined;
    } finally {
      release();
    }
    if (ok) {
      if (this.verified.size >= VERIFIED_CACHE_LIMIT) this.verified.clear();
      this.verified.set(digest, this.now().getTime() + VERIFIED_CACHE_MS);
    }
    return ok;
  }

  private async authenticateBearer(token: string): Promise<Principal> {
    const claims = await this.verifiedClaims(token);
    const record = claims.jti ? await this.deps.store.findToken(claims.jti) : undefined;
    if (!record || record.userId !== claims.sub || record.expirationDate <= this.now().toISOString()) {
      throw unauthorized('The token is invalid, expired or revoked.');
    }
    const user = await this.deps.store.findUserById(record.userId);
    if (!user?.active) throw unauthorized('The token\'s user is not active.');
    return { ...principalOf(user), tokenId: record.id };
  }

  /**
   * The claims of a token whose signature and expiry hold. A signature, once verified, stays valid for
   * the same token text, so it is remembered; expiry is checked every time, revocation by the caller.
   */
  private async verifiedClaims(token: string): Promise<JWTPayload> {
    let claims = this.verifiedTokens.get(token);
    if (!claims) {
      try {
        claims = (await jwtVerify(token, this.signingKey, { issuer: ISSUER, algorithms: ['HS256'], currentDate: this.now() })).payload;
      } catch {
        throw unauthorized('The token is invalid or expired.');
      }
      if (this.verifiedTokens.size >= VERIFIED_CACHE_LIMIT) this.verifiedTokens.clear();
      this.verifiedTokens.set(token, claims);
    }
    if ((claims.exp ?? 0) * 1000 <= this.now().getTime()) throw unauthorized('The token is invalid or expired.');
    return claims;
  }

  /** Issues a signed token for the caller, recorded so that it can be listed and revoked. */
  async issueToken(principal: Principal, ttlParam: unknown): Promise<{ token: string }> {
    const ttl = parseTtl(ttlParam);
    const id = randomUUID();
    const issuedAt = this.now();
    const expires = new Date(issuedAt.getTime() + ttl * 1000);
    const token = await new SignJWT({ contract: principal.contractNumber, email: principal.email })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER).setSubject(principal.userId).setJti(id)
      .setIssuedAt(Math.floor(issuedAt.getTime() / 1000)).setExpirationTime(Math.floor(expires.getTime() / 1000))
      .sign(this.signingKey);
    await this.deps.store.transaction((tx) =>
      tx.insertToken({ id, userId: principal.userId, createdDate: issuedAt.toISOString(), expirationDate: expires.toISOString() }),
    );
    return { token };
  }

  /** The caller's tokens, without the token text itself. */
  listTokens(principal: Principal): Promise<TokenRecord[]> {
    return this.deps.store.listTokens(principal.userId);
  }

  /** Revokes one of the caller's tokens; 404 for anyone else's. */
  async revokeToken(principal: Actor, id: string): Promise<void> {
    await auditedTransaction(this.deps.store, principal, () => this.now(), async (tx) => {
      if ((await tx.deleteTokens(principal.userId, { ids: [id] })) === 0) throw notFound('Token', id);
    });
  }

  /** Revokes the caller's tokens: ALL, EXPIRED, or CURRENT (the one this request came with). */
  async revokeTokens(principal: Actor, criteria: string | undefined): Promise<void> {
    const which = criteria ?? 'ALL';
    if (which === 'CURRENT' && !principal.tokenId) {
      throw badRequest('criteria=CURRENT needs a request authenticated with a token.', 'NO_CURRENT_TOKEN');
    }
    const filter = which === 'EXPIRED' ? { expiredBefore: this.now().toISOString() } : which === 'CURRENT' ? { ids: [principal.tokenId ?? ''] } : {};
    await auditedTransaction(this.deps.store, principal, () => this.now(), (tx) => tx.deleteTokens(principal.userId, filter));
  }

  /** Managing VPN resources: the contract's administrators and members of a group with accessAndManageVpn. */
  async requireVpnAccess(principal: Principal): Promise<void> {
    if (principal.administrator || (await this.deps.store.hasVpnPrivilege(principal.userId))) return;
    throw forbidden('Managing VPN gateways needs the accessAndManageVpn privilege.');
  }

  /** Creates the first contract and its administrator when there are no users yet. */
  async bootstrapAdministrator(email: string, password: string | undefined): Promise<{ created: boolean; generatedPassword?: string }> {
    if ((await this.deps.store.countUsers()) > 0) return { created: false };
    const chosen = password ?? generatePassword();
    try {
      await this.createContract(email, chosen);
    } catch (error) {
      // Another server starting on the same empty database created the first contract at the same moment.
      if (error instanceof ConcurrentChange && (await this.deps.store.countUsers()) > 0) return { created: false };
      throw error;
    }
    return password === undefined ? { created: true, generatedPassword: chosen } : { created: true };
  }

  /** A new contract with its administrator; answers the contract number. */
  async createContract(email: string, password: string): Promise<number> {
    const passwordHash = await hashPassword(password);
    const date = this.now().toISOString();
    return this.deps.store.transaction(async (tx) => {
      const number = await tx.nextContractNumber();
      await tx.insertContract({ number, createdDate: date });
      await tx.insertUser({
        id: randomUUID(), contractNumber: number, email, passwordHash, firstname: 'Contract', lastname: 'Administrator',
        administrator: true, active: true, createdDate: date, lastModifiedDate: date,
      });
      return number;
    });
  }
}

function principalOf(user: UserRecord): Principal {
  return { userId: user.id, email: user.email, contractNumber: user.contractNumber, administrator: user.administrator };
}

function parseTtl(raw: unknown): number {
  if (raw === undefined || raw === '') return DEFAULT_TOKEN_TTL_SECONDS;
  if (typeof raw !== 'string' || !/^[0-9]+$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_TOKEN_TTL_SECONDS) {
    throw badRequest(`Query parameter ttl must be an integer number of seconds from 1 to ${MAX_TOKEN_TTL_SECONDS}.`, 'INVALID_TTL');
  }
  return Number(raw);
}
