import { join } from 'node:path';
import type { Dispatcher } from 'undici';
import type { DataPlaneDriver } from '../agent/driver.ts';
import { FilesDriver } from '../agent/files-driver.ts';
import { LinuxDriver } from '../agent/linux/linux-driver.ts';
import { missingPrerequisites } from '../agent/linux/prerequisites.ts';
import { AgentApiClient, AgentRequestError, AgentUnauthorizedError } from '../agent/remote/agent-api-client.ts';
import { AgentLoop } from '../agent/remote/agent-loop.ts';
import { AgentSettingsError, loadAgentSettings, type AgentSettings } from '../agent/remote/agent-settings.ts';
import { ServerRotation } from '../agent/remote/server-rotation.ts';
import { createLogger } from '../logger.ts';
import { UsageError } from './secret-input.ts';
import { trustingDispatcher } from './tls-trust.ts';
import { packageVersion } from './version.ts';

/** The host's credential was refused (removed or never enrolled): a restart cannot help, so the unit does not restart on it. */
export const EXIT_CREDENTIAL_REFUSED = 3;

function driverOf(settings: AgentSettings): DataPlaneDriver {
  if (settings.driver === 'files') return new FilesDriver(join(settings.dataDir, 'dataplane'));
  return new LinuxDriver({
    stateDir: join(settings.dataDir, 'linux'), ipsecBackend: settings.ipsecBackend, delegatedBlocks: settings.delegatedBlockUplinks,
    ...(settings.netns ? { netns: settings.netns } : {}),
  });
}

/** `vpngw agent`: runs this gateway host's data plane from an API server's desired state until SIGINT/SIGTERM. */
export async function agentCommand(argv: string[]): Promise<number> {
  let settings: AgentSettings;
  let dispatcher: Dispatcher | undefined;
  try {
    settings = loadAgentSettings(argv, process.env);
    dispatcher = settings.caFile ? trustingDispatcher(settings.caFile) : undefined;
  } catch (error) {
    if (error instanceof AgentSettingsError || error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`vpngw agent: ${(error as Error).message}\n`);
      return 2;
    }
    throw error;
  }
  if (settings.driver === 'linux') {
    const missing = missingPrerequisites({ ipsecBackend: settings.ipsecBackend, ...(settings.netns ? { netns: settings.netns } : {}) });
    if (missing.length > 0) {
      process.stderr.write(`vpngw agent: the linux driver cannot run here; missing:\n${missing.map((m) => `  - ${m}\n`).join('')}`);
      return 2;
    }
  }
  process.umask(0o077); // the data directory holds the credential and rendered secrets
  const logger = createLogger(settings.logLevel);
  const client = new AgentApiClient({
    rotation: new ServerRotation(settings.servers),
    ...(dispatcher ? { dispatcher } : {}),
    onServerFailed: (server, reason, retryInMs) => logger.warn({ server, reason, retryInMs }, 'API server unreachable; trying the next'),
  });
  const loop = new AgentLoop({ settings, client, driver: driverOf(settings), logger, version: packageVersion() });
  const onSignal = (signal: string) => {
    logger.info({ signal }, 'stopping');
    loop.stop();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  logger.info({ servers: settings.servers, name: settings.name, driver: settings.driver }, 'agent starting');
  try {
    await loop.run();
    logger.info('stopped');
    return 0;
  } catch (error) {
    if (error instanceof AgentUnauthorizedError) {
      process.stderr.write(`vpngw agent: the API server refused this host's credential (${error.message}); the host was removed or never enrolled: enroll again with a new token\n`);
      return EXIT_CREDENTIAL_REFUSED;
    }
    if (error instanceof AgentRequestError) {
      process.stderr.write(`vpngw agent: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
  }
}
