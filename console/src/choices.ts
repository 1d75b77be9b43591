// The API's enumerations, checked against the generated types both ways: a value the API does not
// know fails to compile, and so does one it knows that is missing here.
import type { Security, WireguardGatewayCreate } from './types.ts';

type Exactly<T, Values extends readonly T[]> = [T] extends [Values[number]] ? Values : never;
const all = <T>() => <const V extends readonly T[]>(values: Exactly<T, V>) => values;

type Props = WireguardGatewayCreate['properties'];
export const TIERS = all<NonNullable<Props['tier']>>()(['STANDARD', 'STANDARD_HA', 'ENHANCED', 'ENHANCED_HA', 'PREMIUM', 'PREMIUM_HA']);
export const DAYS = all<NonNullable<Props['maintenanceWindow']>['dayOfTheWeek']>()(['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']);
export const DH_GROUPS = all<NonNullable<Security['diffieHellmanGroup']>>()(['15-MODP3072', '16-MODP4096', '19-ECP256', '20-ECP384', '21-ECP521', '28-ECP256BP', '29-ECP384BP', '30-ECP512BP']);
export const ENCRYPTIONS = all<NonNullable<Security['encryptionAlgorithm']>>()([
  'AES128-CTR', 'AES256-CTR', 'AES128-GCM-16', 'AES256-GCM-16', 'AES128-GCM-12', 'AES256-GCM-12', 'AES128-CCM-12', 'AES256-CCM-12', 'AES128', 'AES256',
]);
export const INTEGRITIES = all<NonNullable<Security['integrityAlgorithm']>>()(['SHA256', 'SHA384', 'SHA512', 'AES-XCBC']);

const DH_WORDS: Record<string, string> = {
  '15-MODP3072': '3072-bit MODP (group 15)', '16-MODP4096': '4096-bit MODP (group 16)', '19-ECP256': 'NIST P-256 (group 19)',
  '20-ECP384': 'NIST P-384 (group 20)', '21-ECP521': 'NIST P-521 (group 21)', '28-ECP256BP': 'Brainpool P-256 (group 28)',
  '29-ECP384BP': 'Brainpool P-384 (group 29)', '30-ECP512BP': 'Brainpool P-512 (group 30)',
};

function encryptionWords(e: string): string {
  const m = /^AES(128|256)(?:-(CTR|GCM|CCM)(?:-(\d+))?)?$/.exec(e);
  if (!m) return e;
  const mode = m[2] === 'CTR' ? 'CTR' : m[2] ? `${m[2]} with a ${Number(m[3]) * 8}-bit tag` : 'CBC';
  return `AES-${m[1]} ${mode}`;
}

/** "AES-256 CBC, SHA256, 4096-bit MODP (group 16), 24 h" (integrity left out for the AEAD ciphers). */
export function proposalWords(s: Security | undefined): string {
  const enc = s?.encryptionAlgorithm ?? 'AES256';
  const aead = /GCM|CCM/.test(enc);
  const lifetime = s?.lifetime ?? 0;
  const life = lifetime % 3600 === 0 ? `${lifetime / 3600} h` : `${lifetime} s`;
  return [encryptionWords(enc), aead ? null : s?.integrityAlgorithm ?? 'SHA256', DH_WORDS[s?.diffieHellmanGroup ?? ''] ?? s?.diffieHellmanGroup, lifetime ? life : null]
    .filter(Boolean).join(', ');
}
