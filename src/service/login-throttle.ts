import ipaddr from 'ipaddr.js';

/** Why a password check was refused before it ran. */
export type ThrottleReason = 'account_address' | 'address';

/** A refused attempt: answered at once, without a password check. */
export interface ThrottleRefusal {
  reason: ThrottleReason;
  retryAfterSeconds: number;
}

/** An admitted attempt; one of its methods is called when the check has ended (later calls do nothing). */
export interface LoginAttempt {
  /** The client address has failures on record: its check waits behind those of clean addresses. */
  readonly suspect: boolean;
  succeeded(): void;
  failed(): void;
  /** Ended without a verdict on the password (the store failed, the checks were busy). */
  abandoned(): void;
}

interface BackoffPolicy {
  /** Failures (checks in progress count as failures until they end) that cost nothing. */
  free: number;
  /** Checks of one key running at once, at most. */
  maxInFlight: number;
  /** Beyond them: one attempt after a pause that starts here and doubles with every failure. */
  baseDelayMs: number;
  maxDelayMs: number;
}

interface Failures { count: number; inFlight: number; last: number }

export const ACCOUNT_ADDRESS_POLICY: BackoffPolicy = { free: 5, maxInFlight: 5, baseDelayMs: 1000, maxDelayMs: 5 * 60_000 };
// Two checks at once per address: a burst from a few addresses cannot fill the password checks.
export const ADDRESS_POLICY: BackoffPolicy = { free: 20, maxInFlight: 2, baseDelayMs: 1000, maxDelayMs: 5 * 60_000 };
const FORGET_AFTER_MS = 15 * 60_000;
const MAX_TRACKED = 10_000;

/**
 * Failures of one kind of key, with the pause each key must keep. Bounded: beyond MAX_TRACKED keys
 * the one used least recently is forgotten.
 */
class FailureLedger {
  private readonly entries = new Map<string, Failures>();

  constructor(private readonly policy: BackoffPolicy, private readonly clock: () => number) {}

  /** How long this key must wait before its next attempt, in ms; 0: it may try now. */
  waitFor(key: string): number {
    const entry = this.current(key);
    if (entry && entry.inFlight >= this.policy.maxInFlight) return this.policy.baseDelayMs;
    if (!entry || entry.count + entry.inFlight < this.policy.free) return 0;
    // Past the free attempts only one check at a time, and only after the pause.
    const pause = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** Math.max(0, entry.count - this.policy.free));
    const wait = entry.last + pause - this.clock();
    return entry.inFlight > 0 ? Math.max(wait, this.policy.baseDelayMs) : Math.max(0, wait);
  }

  /** Counts a check as running; answers whether the key has failures on record. */
  begin(key: string): boolean {
    const entry = this.current(key) ?? { count: 0, inFlight: 0, last: this.clock() };
    entry.inFlight += 1;
    this.remember(key, entry);
    return entry.count > 0;
  }

  end(key: string, outcome: 'failure' | 'success' | 'neutral') {
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.inFlight = Math.max(0, entry.inFlight - 1);
    if (outcome === 'failure') {
      entry.count += 1;
      entry.last = this.clock();
    } else if (outcome === 'success') {
      entry.count = 0;
    }
    if (entry.count === 0 && entry.inFlight === 0) this.entries.delete(key);
    else this.remember(key, entry);
  }

  private current(key: string): Failures | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.inFlight === 0 && this.clock() - entry.last > FORGET_AFTER_MS) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private remember(key: string, entry: Failures) {
    this.entries.delete(key);
    if (this.entries.size >= MAX_TRACKED) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, entry);
  }
}

/** The part of a client address one client controls: an IPv4 address, or an IPv6 /64. */
export function clientKeyOf(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  return `${(parsed as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16)).join(':')}::/64`;
}

/**
 * Makes password guessing expensive for the guesser and not for the account's owner: failures are
 * counted per (account, client address) and per client address, never per account alone, so
 * someone else's failures never hold back a correct password sent from another address. A client
 * past its free attempts is refused at once (no password check, no waiting) until its pause, which
 * doubles with each further failure, is over; checks still running count as failures, and one
 * address runs at most two at once, so a burst of parallel guesses gets no more checks than a
 * sequence. A success clears the (account, address) count; the address count only fades (after a
 * quiet quarter of an hour), so a client cannot reset it by logging in to an account of its own
 * between guesses.
 */
export class LoginThrottle {
  private readonly byAccountAddress: FailureLedger;
  private readonly byAddress: FailureLedger;

  constructor(clock: () => number = Date.now) {
    this.byAccountAddress = new FailureLedger(ACCOUNT_ADDRESS_POLICY, clock);
    this.byAddress = new FailureLedger(ADDRESS_POLICY, clock);
  }

  /** Admits a password check for this account from this client address, or refuses it. */
  begin(account: string, address: string): LoginAttempt | ThrottleRefusal {
    const client = clientKeyOf(address);
    const pair = `${account.toLowerCase()}\n${client}`;
    const addressWait = this.byAddress.waitFor(client);
    if (addressWait > 0) return { reason: 'address', retryAfterSeconds: Math.ceil(addressWait / 1000) };
    const pairWait = this.byAccountAddress.waitFor(pair);
    if (pairWait > 0) return { reason: 'account_address', retryAfterSeconds: Math.ceil(pairWait / 1000) };
    const suspect = this.byAddress.begin(client);
    this.byAccountAddress.begin(pair);
    let ended = false;
    const end = (outcome: 'failure' | 'success' | 'neutral') => {
      if (ended) return;
      ended = true;
      this.byAddress.end(client, outcome === 'failure' ? 'failure' : 'neutral');
      this.byAccountAddress.end(pair, outcome);
    };
    return { suspect, succeeded: () => end('success'), failed: () => end('failure'), abandoned: () => end('neutral') };
  }
}

export function isRefusal(outcome: LoginAttempt | ThrottleRefusal): outcome is ThrottleRefusal {
  return 'reason' in outcome;
}
