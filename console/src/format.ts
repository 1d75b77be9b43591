/** "just now", "2 minutes ago", "3 hours ago", "5 days ago"; "never" without a time. */
export function timeAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 10) return 'just now';
  const units: Array<[number, string]> = [[86400, 'day'], [3600, 'hour'], [60, 'minute'], [1, 'second']];
  for (const [size, unit] of units) {
    const n = Math.floor(seconds / size);
    if (n >= 1) return `${n} ${unit}${n === 1 ? '' : 's'} ago`;
  }
  return 'just now';
}

/** A handshake within the last three minutes means the session is alive (WireGuard rekeys every two). */
export const RECENT_HANDSHAKE_MS = 180_000;
export const isRecent = (iso: string | null | undefined, now = Date.now()) => Boolean(iso) && now - Date.parse(iso ?? '') < RECENT_HANDSHAKE_MS;

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export const dateTime = (iso: string) => new Date(iso).toLocaleString();
