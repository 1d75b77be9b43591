import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { missingPrerequisites } from '../agent/linux/prerequisites.ts';
import { createLogger, logDestination } from '../logger.ts';
import { assembleService, type RunningService } from '../service-assembly.ts';
import { TlsFilesError } from '../security/tls-credentials.ts';
import { NewerSchemaError } from '../store/schema-version.ts';
import { isStoreUnavailable } from '../store/store.ts';
import { installGracefulShutdown } from './graceful-shutdown.ts';
import { writeInitialPassword } from './initial-password.ts';

/** `vpngw serve`: runs the API with its embedded reconciler until SIGINT/SIGTERM. */
export async function serve(argv: string[]): Promise<number> {
  let config;
  try {
    config = loadConfig(argv, process.env);
  } catch (error) {
    if (error instanceof ConfigError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`vpngw serve: ${(error as Error).message}\n`);
      return 2;
    }
    throw error;
  }
  if (config.driver === 'linux') {
    const missing = missingPrerequisites({ ipsecBackend: config.ipsecBackend, ...(config.netns ? { netns: config.netns } : {}) });
    if (missing.length > 0) {
      process.stderr.write(`vpngw serve: the linux driver cannot run here; missing:\n${missing.map((m) => `  - ${m}\n`).join('')}`);
      return 2;
    }
  }
  process.umask(0o077); // the data directory holds keys, hashes and rendered secrets
  const logger = createLogger(config.logLevel, logDestination(config.logFormat));
  const service = await startService(config, logger);
  if (!service) return 1;
  if (config.adminPassword !== undefined && !service.administratorCreated) {
    logger.warn('VPNGW_ADMIN_PASSWORD is set but ignored: users exist already, and it only sets the first administrator\'s password; '
      + 'change a password with `vpngw admin reset-password --email EMAIL`');
  }
  const passwordFile = service.generatedAdminPassword ? writeInitialPassword(config.dataDir, service.generatedAdminPassword) : undefined;
  try {
    await service.app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await service.close();
    process.stderr.write(`vpngw serve: ${listenFailure(config, error)}\n`);
    if (passwordFile) process.stderr.write(`vpngw serve: the generated password of ${config.adminEmail} is in ${passwordFile}\n`);
    return 1;
  }
  if (service.administratorCreated) process.stderr.write(firstRunBanner(config, service, passwordFile));
  installGracefulShutdown({ server: service.app.server, passInProgress: () => service.reconciler.passInProgress, close: () => service.close() },
    { logger, timeoutMs: config.shutdownTimeoutMs, exit: (code) => process.exit(code) });
  // With TLS, SIGHUP reloads the certificate and key (a renewal); without, it ends the process as before.
  const reloadTls = service.reloadTls;
  if (reloadTls) process.on('SIGHUP', () => void reloadTls());
  return await new Promise<number>(() => undefined);
}

/** The service, or undefined after one line saying why the store cannot be used. */
async function startService(config: Config, logger: Logger): Promise<RunningService | undefined> {
  try {
    return await assembleService(config, logger);
  } catch (error) {
    if (error instanceof TlsFilesError) process.stderr.write(`vpngw serve: ${error.message}\n`);
    else if (error instanceof NewerSchemaError) process.stderr.write(`vpngw serve: ${error.message}\n`);
    else if (isStoreUnavailable(error)) process.stderr.write(`vpngw serve: cannot reach the store: ${(error as Error).message}\n`);
    else throw error;
    return undefined;
  }
}

function listenFailure(config: Config, error: unknown): string {
  const code = (error as { code?: string }).code;
  const where = `${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
  if (code === 'EADDRINUSE') return `cannot listen on ${where}: the port is in use by another program (choose another with --port or VPNGW_PORT).`;
  if (code === 'EACCES') return `cannot listen on ${where}: permission denied (ports below 1024 need privileges; choose another with --port).`;
  if (code === 'EADDRNOTAVAIL') return `cannot listen on ${where}: no interface of this host has that address (--host, VPNGW_HOST).`;
  return `cannot listen on ${where}: ${code ?? (error as Error).message}`;
}

/** The URL a person on this host types: the public URL when set, else the listen address (a wildcard as loopback). */
function serviceUrl(config: Config, service: RunningService): string {
  if (config.publicUrl) return config.publicUrl.replace(/\/+$/, '');
  const address = service.app.server.address() as AddressInfo | null;
  const port = address?.port ?? config.port;
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host === '::' ? '::1' : config.host;
  return `${config.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * What a first start tells the person who ran it. The generated password is shown only on a
 * terminal: under systemd or a container stderr is kept in the logs, so there only the file that
 * holds it (0600, in the data directory) is named.
 */
function firstRunBanner(config: Config, service: RunningService, passwordFile: string | undefined): string {
  const url = serviceUrl(config, service);
  const password = !passwordFile ? ['  Its password is the one VPNGW_ADMIN_PASSWORD gave.']
    : process.stderr.isTTY ? [`  Its generated password (also in ${passwordFile}, mode 0600):`, '', `      ${service.generatedAdminPassword}`, '']
      : [`  Its generated password is in ${passwordFile} (mode 0600, readable by this service's user only).`];
  const login = `vpngw login --api-url ${url} --username ${config.adminEmail}${passwordFile ? ` --password-file ${passwordFile}` : ''}`;
  return [
    '',
    `vpngw is serving ${url}  (web console: ${url}/console/, API documentation: ${url}/docs)`,
    `Created the first contract with its administrator ${config.adminEmail}.`,
    ...password,
    `Log in:  ${login}`,
    ...(passwordFile ? ['Keep the password somewhere safe, then delete the file (`vpngw admin reset-password` sets a new one).'] : []),
    '', '',
  ].join('\n');
}
