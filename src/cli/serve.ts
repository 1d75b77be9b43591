import { ConfigError, loadConfig } from '../config.ts';
import { missingPrerequisites } from '../agent/linux/prerequisites.ts';
import { createLogger } from '../logger.ts';
import { assembleService } from '../service-assembly.ts';

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
  const logger = createLogger(config.logLevel);
  const service = await assembleService(config, logger);
  if (service.generatedAdminPassword) {
    // Printed once, to the terminal only, never into the logs.
    process.stderr.write(
      `\nCreated the administrator ${config.adminEmail} with the generated password:\n\n    ${service.generatedAdminPassword}\n\n` +
      'Keep it now: it is stored only as a hash and will not be shown again.\n\n',
    );
  }
  await service.app.listen({ host: config.host, port: config.port });
  const shutdown = async () => {
    logger.info('shutting down');
    await service.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  return await new Promise<number>(() => undefined);
}
