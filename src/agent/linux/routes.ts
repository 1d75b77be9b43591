import { DataPlaneError } from '../driver.ts';
import { CommandFailed, type Shell } from './command-runner.ts';
import { diffSets, parseIpRouteJson } from './link-plan.ts';

export function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.trim() || 'unknown error';
}

/** Runs `ip` with the arguments; a failure becomes a DataPlaneError naming what could not be added. */
export async function ipChange(shell: Shell, args: string[], what: string): Promise<void> {
  try {
    await shell.run('ip', args);
  } catch (error) {
    if (error instanceof CommandFailed) throw new DataPlaneError(`Could not add ${what}: ${lastLine(error.result.stderr)}`);
    throw error;
  }
}

/** Makes the static routes into a device exactly `wanted` (canonical prefixes), touching only differences. */
export async function syncRoutes(shell: Shell, dev: string, wanted: string[]): Promise<void> {
  const present = [
    ...parseIpRouteJson(await shell.run('ip', ['-j', '-4', 'route', 'show', 'dev', dev, 'proto', 'static'])),
    ...parseIpRouteJson(await shell.run('ip', ['-j', '-6', 'route', 'show', 'dev', dev, 'proto', 'static'])),
  ];
  const change = diffSets(wanted, present);
  for (const prefix of change.remove) await shell.try('ip', ['route', 'del', prefix, 'dev', dev, 'proto', 'static']);
  for (const prefix of change.add) await ipChange(shell, ['route', 'replace', prefix, 'dev', dev, 'proto', 'static'], `the route to ${prefix}`);
}
