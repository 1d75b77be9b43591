/** How charon moves ESP packets: the kernel's XFRM, or userspace ESP over a TUN device (kernel-libipsec). */
export type IpsecBackend = 'libipsec' | 'xfrm';

export interface CharonSettings {
  viciSocket: string;
  logFile: string;
  backend: IpsecBackend;
}

// Only what the tunnels need: every IKE/ESP algorithm and DH group of the API, PSK auth, vici.
const CRYPTO_PLUGINS = 'random nonce openssl aes sha1 sha2 hmac gcm ctr ccm xcbc cmac gmp curve25519 kdf pem pkcs1 pubkey x509';

const SAFE_PATH = /^\/[A-Za-z0-9._/-]+$/;

function safePath(path: string): string {
  if (!SAFE_PATH.test(path)) throw new Error('refusing to render an unsafe path into strongswan.conf');
  return path;
}

function daemonSection(name: string, s: CharonSettings): string[] {
  // kernel-libipsec must come before kernel-netlink so that it provides the IPsec backend.
  const kernel = s.backend === 'libipsec' ? 'kernel-libipsec kernel-netlink' : 'kernel-netlink';
  return [
    `${name} {`,
    '  load_modular = no',
    `  load = ${CRYPTO_PLUGINS} ${kernel} socket-default vici`,
    '  install_routes = yes',
    '  install_virtual_ip = no',
    '  plugins {',
    `    vici { socket = unix://${safePath(s.viciSocket)} }`,
    '  }',
    '  filelog {',
    '    vpngw {',
    `      path = ${safePath(s.logFile)}`,
    '      time_format = %F %T',
    '      default = 1',
    '      flush_line = yes',
    '    }',
    '  }',
    '  journal { default = -1 }',
    '  syslog { daemon { default = -1 } }',
    '}',
  ];
}

/**
 * A complete strongswan.conf for one charon (given through STRONGSWAN_CONF). It includes nothing
 * from /etc, so the host's own strongSwan settings and connections cannot leak in. Both daemon
 * names get the same section: charon-systemd reads `charon-systemd`, the classic daemon `charon`.
 */
export function renderStrongswanConf(settings: CharonSettings): string {
  return ['# Written by vpngw; changes are overwritten.', ...daemonSection('charon-systemd', settings), ...daemonSection('charon', settings), 'swanctl {', '}', ''].join('\n');
}
