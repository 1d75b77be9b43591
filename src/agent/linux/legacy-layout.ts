import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CharonProcess } from './charon-process.ts';
import type { CommandRunner, Shell } from './command-runner.ts';
import { wireguardInterfaceName } from './names.ts';
import type { IpsecBackend } from './strongswan-conf.ts';
import { WIREGUARD_SOCKET_DIR } from './wireguard-dataplane.ts';

const LEGACY_CHARON_FILES = ['charon.json', 'gateways', 'swanctl.conf', 'loaded.json', 'strongswan.conf', 'charon.log', 'charon.vici'];

/**
 * Before gateways had namespaces of their own, their WireGuard interfaces and one shared charon
 * lived in the host's namespace. An upgraded service removes those once, before its first apply;
 * the next pass makes each gateway anew in its own namespace.
 */
export async function removeLegacyLayout(stateDir: string, host: Shell, runner: CommandRunner, backend: IpsecBackend): Promise<void> {
  const wireguardList = join(stateDir, 'wireguard-gateways.json');
  if (existsSync(wireguardList)) {
    for (const id of JSON.parse(readFileSync(wireguardList, 'utf8')) as string[]) {
      const ifname = wireguardInterfaceName(id);
      await host.try('ip', ['link', 'del', 'dev', ifname]);
      rmSync(join(WIREGUARD_SOCKET_DIR, `${ifname}.sock`), { force: true });
    }
    rmSync(wireguardList);
  }
  const sharedCharonDir = join(stateDir, 'ipsec');
  if (existsSync(join(sharedCharonDir, 'charon.json')) || existsSync(join(sharedCharonDir, 'gateways'))) {
    await new CharonProcess(host, runner, sharedCharonDir, backend).stop();
    for (const name of LEGACY_CHARON_FILES) rmSync(join(sharedCharonDir, name), { recursive: true, force: true });
  }
}
