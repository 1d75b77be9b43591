import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tar from 'tar';
import type { Config } from '../config.ts';
import { SecretBox } from '../security/secret-box.ts';
import { OperatorRefusal } from '../service/operator-refusal.ts';
import { backupSqliteDatabase, inspectSqliteDatabase, SQLITE_FILE, type SqliteInspection } from '../store/sqlite-backup.ts';
import { assertKnownSchema, NewerSchemaError, schemaNumber } from '../store/schema-version.ts';
import { writeFileAtomic } from '../util/atomic-file.ts';
import { adminConfig, requiredOption, type AdminValues } from './admin-command.ts';
import { initialPasswordPath } from './initial-password.ts';
import { UsageError } from './secret-input.ts';
import { packageVersion } from './version.ts';

const MANIFEST = 'manifest.json';
const FORMAT = 'vpngw-backup';
const FORMAT_VERSION = 1;
/** How many stored secrets of each kind a restore decrypts to prove the key belongs to the database. */
const SECRET_SAMPLE = 25;

/** The data directory's key files, and the settings that may hold the same keys instead. */
const KEYS = [
  { file: 'secret.key', setting: 'VPNGW_SECRET_KEY', of: (c: Config) => c.secretKey },
  { file: 'token-signing.key', setting: 'VPNGW_TOKEN_SIGNING_KEY', of: (c: Config) => c.tokenSigningKey },
] as const;
const ARCHIVE_ENTRIES = new Set([MANIFEST, SQLITE_FILE, ...KEYS.map((k) => k.file)]);

interface Manifest {
  format: string;
  formatVersion: number;
  vpngwVersion: string;
  schema: string;
  createdDate: string;
}

const PG_ADVICE = 'the store is PostgreSQL (VPNGW_DATABASE_URL): back it up with pg_dump and keep secret.key and token-signing.key '
  + '(or VPNGW_SECRET_KEY and VPNGW_TOKEN_SIGNING_KEY) with the dump; see "Backup and restore" in the README.';

const BACKUP_USAGE = `Usage: vpngw backup --out FILE [--data-dir DIR]

Writes an online, consistent copy of the SQLite store (SQLite's backup API: the server keeps running and
writing) with secret.key and token-signing.key into one gzip'd tar archive, mode 0600. The keys are the
data directory's files, or VPNGW_SECRET_KEY / VPNGW_TOKEN_SIGNING_KEY when those are set. Anyone who
has the archive can decrypt the stored private keys and PSKs: keep it like the keys themselves.
`;

const RESTORE_USAGE = `Usage: vpngw restore --from FILE [--data-dir DIR] [--force]

Restores an archive of \`vpngw backup\` into a data directory (created when missing). It checks the copy
first and refuses a damaged one, one written by a newer vpngw, and one whose secret.key does not open its
stored secrets. It refuses to replace an existing database or different key files unless --force is
given; stop the server on that directory first. Start \`vpngw serve\` on it afterwards: an older schema
is upgraded then, and the data plane is re-rendered from the restored state.
`;

type Parsed = { values: AdminValues; config: Config };

/** Parses the options and the configuration; a UsageError (exit 2) for a mistake in either. */
function parse(argv: string[], options: Record<string, { type: 'string' | 'boolean' }>): Parsed | 'help' {
  const { values } = parseArgs({ args: argv, options: { ...options, 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help) return 'help';
  return { values, config: adminConfig(values) };
}

/** Runs a backup or restore: exit status 0, 1 (refused or failed) or 2 (usage). */
async function run(name: string, usage: string, argv: string[], options: Record<string, { type: 'string' | 'boolean' }>, action: (p: Parsed) => Promise<void>): Promise<number> {
  let parsed: Parsed | 'help';
  try {
    parsed = parse(argv, options);
  } catch (error) {
    process.stderr.write(`vpngw ${name}: ${(error as Error).message.replace(/\s*\n\s*/g, ' ')}\n(see vpngw ${name} --help)\n`);
    return 2;
  }
  if (parsed === 'help') {
    process.stdout.write(usage);
    return 0;
  }
  process.umask(0o077); // every file made here holds keys or the store
  try {
    await action(parsed);
    return 0;
  } catch (error) {
    const usageMistake = error instanceof UsageError;
    const known = usageMistake || error instanceof OperatorRefusal || error instanceof NewerSchemaError;
    process.stderr.write(`vpngw ${name}: ${known ? '' : 'error: '}${(error as Error).message}\n`);
    return usageMistake ? 2 : 1;
  }
}

function keyText(config: Config, key: (typeof KEYS)[number]): { text: string; fromSetting: boolean } {
  const configured = key.of(config);
  if (configured) return { text: `${configured.trim()}\n`, fromSetting: true };
  const path = join(config.dataDir, key.file);
  if (!existsSync(path)) throw new OperatorRefusal(`there is no ${path} and ${key.setting} is not set: a backup without the key could not be restored.`);
  return { text: readFileSync(path, 'utf8'), fromSetting: false };
}

async function backup({ values, config }: Parsed): Promise<void> {
  const out = resolve(requiredOption(values, 'out'));
  if (config.databaseUrl) throw new OperatorRefusal(PG_ADVICE);
  const database = join(config.dataDir, SQLITE_FILE);
  if (!existsSync(database)) throw new OperatorRefusal(`there is no store at ${database} (--data-dir, VPNGW_DATA_DIR).`);
  const keys = KEYS.map((key) => ({ key, ...keyText(config, key) }));
  const work = mkdtempSync(join(dirname(out), '.vpngw-backup-'));
  try {
    await backupSqliteDatabase(database, join(work, SQLITE_FILE));
    const copy = inspectSqliteDatabase(join(work, SQLITE_FILE), 0);
    if (copy.integrity !== 'ok') throw new Error(`the copy failed SQLite's check: ${copy.integrity}`);
    for (const { key, text } of keys) writeFileSync(join(work, key.file), text, { mode: 0o600 });
    const manifest: Manifest = { format: FORMAT, formatVersion: FORMAT_VERSION, vpngwVersion: packageVersion(), schema: copy.migrations.at(-1) ?? '', createdDate: new Date().toISOString() };
    writeFileSync(join(work, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    const temp = join(work, 'archive.tar.gz');
    closeSync(openSync(temp, 'wx', 0o600)); // tar writes into it and keeps the mode
    await tar.create({ file: temp, cwd: work, gzip: true, portable: true }, [MANIFEST, SQLITE_FILE, ...KEYS.map((k) => k.file)]);
    renameSync(temp, out);
    for (const { key, fromSetting } of keys) {
      if (fromSetting) process.stderr.write(`vpngw backup: ${key.file} in the archive is the value of ${key.setting}\n`);
    }
    process.stdout.write(`Backed up ${config.dataDir} (schema ${schemaNumber(manifest.schema)}, ${summary(copy)}) to ${out}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const summary = (i: SqliteInspection) => `${i.gateways} gateway${i.gateways === 1 ? '' : 's'}, ${i.children} peer${i.children === 1 ? '' : 's'} and tunnels`;

async function extract(from: string, work: string): Promise<Manifest> {
  if (!existsSync(from)) throw new UsageError(`there is no file ${from}.`);
  try {
    await tar.extract({ file: from, cwd: work, strict: true, filter: (path, entry) => ARCHIVE_ENTRIES.has(path) && 'type' in entry && entry.type === 'File' });
  } catch (error) {
    throw new OperatorRefusal(`${from} is not an archive of vpngw backup: ${(error as Error).message}`);
  }
  const missing = [...ARCHIVE_ENTRIES].filter((name) => !existsSync(join(work, name)));
  if (missing.length > 0) throw new OperatorRefusal(`${from} is not a complete archive of vpngw backup: it lacks ${missing.join(', ')}.`);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(join(work, MANIFEST), 'utf8')) as Manifest;
  } catch {
    throw new OperatorRefusal(`${from}: its ${MANIFEST} is not JSON.`);
  }
  if (manifest.format !== FORMAT || manifest.formatVersion !== FORMAT_VERSION) {
    throw new OperatorRefusal(`${from} is not in the format this vpngw reads (${FORMAT} ${FORMAT_VERSION}).`);
  }
  return manifest;
}

/** The archive's secret.key must open what the store holds; else the restored service could not use its secrets. */
function checkSecrets(work: string, config: Config, inspection: SqliteInspection): void {
  const key = Buffer.from(readFileSync(join(work, 'secret.key'), 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new OperatorRefusal('the archive\'s secret.key is not a base64 32-byte key.');
  if (config.secretKey && !Buffer.from(config.secretKey, 'base64').equals(key)) {
    throw new OperatorRefusal('VPNGW_SECRET_KEY is set and differs from the archive\'s secret.key: the restored service would not open its secrets. Unset it, or set it to the archive\'s key.');
  }
  const box = new SecretBox(key);
  for (const stored of inspection.secrets) {
    try {
      box.open(stored.secret, stored.id);
    } catch {
      throw new OperatorRefusal(`the archive's secret.key does not open the stored secret of ${stored.kind} ${stored.id}: the key belongs to another database, or the archive is damaged.`);
    }
  }
}

/** Refuses to replace a database, or key files that differ, without --force. */
function checkTarget(work: string, config: Config, force: boolean): void {
  if (force) return;
  const database = join(config.dataDir, SQLITE_FILE);
  if (existsSync(database)) throw new OperatorRefusal(`${database} exists: restoring would replace it. Stop the server on ${config.dataDir}, then run again with --force.`);
  for (const { file } of KEYS) {
    const path = join(config.dataDir, file);
    if (existsSync(path) && readFileSync(path, 'utf8').trim() !== readFileSync(join(work, file), 'utf8').trim()) {
      throw new OperatorRefusal(`${path} differs from the archive's ${file}: restoring would replace it. Run again with --force to do so.`);
    }
  }
}

async function restore({ values, config }: Parsed): Promise<void> {
  const from = resolve(requiredOption(values, 'from'));
  if (config.databaseUrl) throw new OperatorRefusal(PG_ADVICE.replace('back it up with pg_dump', 'restore it with pg_restore or psql'));
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const work = mkdtempSync(join(config.dataDir, '.vpngw-restore-'));
  try {
    const manifest = await extract(from, work);
    const inspection = inspectSqliteDatabase(join(work, SQLITE_FILE), SECRET_SAMPLE);
    if (inspection.integrity !== 'ok') throw new OperatorRefusal(`the archive's database is damaged: ${inspection.integrity}`);
    assertKnownSchema(inspection.migrations);
    checkSecrets(work, config, inspection);
    checkTarget(work, config, values.force === true);
    const database = join(config.dataDir, SQLITE_FILE);
    // The replaced database's journal must not be replayed onto the restored one.
    for (const stale of [`${database}-wal`, `${database}-shm`, initialPasswordPath(config.dataDir)]) rmSync(stale, { force: true });
    for (const { file } of KEYS) writeFileAtomic(join(config.dataDir, file), readFileSync(join(work, file), 'utf8'));
    renameSync(join(work, SQLITE_FILE), database);
    process.stdout.write(`Restored ${from} (made ${manifest.createdDate} by vpngw ${manifest.vpngwVersion}, schema ${schemaNumber(manifest.schema)}) into ${config.dataDir}: `
      + `${summary(inspection)}; ${inspection.secrets.length} stored secrets checked with its key.\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** `vpngw backup --out FILE [--data-dir DIR]`. */
export function backupCommand(argv: string[]): Promise<number> {
  return run('backup', BACKUP_USAGE, argv, { out: { type: 'string' } }, backup);
}

/** `vpngw restore --from FILE [--data-dir DIR] [--force]`. */
export function restoreCommand(argv: string[]): Promise<number> {
  return run('restore', RESTORE_USAGE, argv, { from: { type: 'string' }, force: { type: 'boolean' } }, restore);
}
