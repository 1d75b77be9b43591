import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { IpsecBackend } from './strongswan-conf.ts';
import { CHARON_BINARY } from './charon-process.ts';

export interface PrerequisiteOptions {
  netns?: string;
  ipsecBackend: IpsecBackend;
  env?: NodeJS.ProcessEnv;
  isRoot?: boolean;
}

const SEARCH_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const PLUGIN_DIRS = ['/usr/lib/ipsec/plugins', '/usr/lib64/ipsec/plugins', '/usr/libexec/ipsec/plugins', '/usr/lib/x86_64-linux-gnu/ipsec/plugins', '/usr/lib/aarch64-linux-gnu/ipsec/plugins'];

/** True when an executable of that name is on PATH (or in the usual system directories). */
export function hasExecutable(name: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const dirs = [...(env.PATH ?? '').split(delimiter).filter(Boolean), ...SEARCH_DIRS];
  return dirs.some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function pluginMissing(plugin: string): boolean {
  const dirs = PLUGIN_DIRS.filter((dir) => existsSync(dir));
  // No known plugin directory: strongSwan itself will say so when charon starts.
  return dirs.length > 0 && !dirs.some((dir) => existsSync(join(dir, `libstrongswan-${plugin}.so`)));
}

/**
 * What the linux driver needs and this system lacks, each named with the Debian package that
 * provides it; empty when everything is there.
 */
export function missingPrerequisites(options: PrerequisiteOptions): string[] {
  const env = options.env ?? process.env;
  const missing: string[] = [];
  if (!(options.isRoot ?? process.getuid?.() === 0)) missing.push('root privileges (run the service as root)');
  const tools: Array<[string, string]> = [['ip', 'iproute2'], ['wg', 'wireguard-tools'], ['swanctl', 'strongswan-swanctl'], [CHARON_BINARY, 'charon-systemd'], ['nft', 'nftables'], ['sysctl', 'procps']];
  // Without the kernel module, interfaces come from the userspace implementation.
  if (!existsSync('/sys/module/wireguard')) tools.push(['wireguard-go', 'wireguard-go']);
  for (const [tool, pkg] of tools) if (!hasExecutable(tool, env)) missing.push(`${tool} (Debian package ${pkg})`);
  if (options.ipsecBackend === 'libipsec' && pluginMissing('kernel-libipsec')) missing.push('the strongSwan kernel-libipsec plugin (Debian package libcharon-extra-plugins)');
  if (pluginMissing('gcm')) missing.push('the strongSwan gcm plugin (Debian package libstrongswan-standard-plugins)');
  if (!existsSync('/dev/net/tun')) missing.push('/dev/net/tun (the tun kernel module)');
  if (options.netns && !existsSync(join('/run/netns', options.netns)) && !existsSync(join('/var/run/netns', options.netns))) {
    missing.push(`the network namespace "${options.netns}" (create it with: ip netns add ${options.netns})`);
  }
  return missing;
}
