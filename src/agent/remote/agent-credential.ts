import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const CREDENTIAL_FILE = 'agent.credential';

export interface AgentCredential {
  hostId: string;
  credential: string;
}

/** The credential this host enrolled with, or undefined before its enrollment. */
export function readCredential(dataDir: string): AgentCredential | undefined {
  const path = join(dataDir, CREDENTIAL_FILE);
  if (!existsSync(path)) return undefined;
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<AgentCredential>;
  if (typeof parsed.hostId !== 'string' || typeof parsed.credential !== 'string') throw new Error(`${path} holds no agent credential`);
  return { hostId: parsed.hostId, credential: parsed.credential };
}

/** Written whole (temp file then rename), readable by its owner only. */
export function writeCredential(dataDir: string, credential: AgentCredential): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, CREDENTIAL_FILE);
  const temp = `${path}.tmp`;
  writeFileSync(temp, `${JSON.stringify(credential)}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}
