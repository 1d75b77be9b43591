import { hashPassword } from '../security/passwords.ts';
import type { Store } from '../store/store.ts';
import { OperatorRefusal } from './operator-refusal.ts';

/** What a reset changed: the user, and how many of its tokens no longer work. */
export interface PasswordReset {
  userId: string;
  contractNumber: number;
  active: boolean;
  revokedTokens: number;
}

/**
 * The operator's way back in: sets a user's password and revokes every token of that user, in one
 * transaction. A running server sees both on the next request (it re-reads the stored hash and the
 * token on each login).
 */
export async function resetPassword(store: Store, email: string, password: string, now: () => Date = () => new Date()): Promise<PasswordReset> {
  const passwordHash = await hashPassword(password); // outside the transaction: scrypt takes a while
  return store.transaction(async (tx) => {
    const user = await tx.findUserByEmail(email);
    if (!user) throw new OperatorRefusal(`there is no user with the email ${email}.`);
    await tx.updateUser({ ...user, passwordHash, lastModifiedDate: now().toISOString() });
    const revokedTokens = await tx.deleteTokens(user.id, {});
    return { userId: user.id, contractNumber: user.contractNumber, active: user.active, revokedTokens };
  });
}
