// Deep links: every page has its own URL under /console/, and the server answers each with the page.
import { useEffect, useState } from 'preact/hooks';

export const BASE = '/console';

const listeners = new Set<() => void>();
const path = () => location.pathname.replace(/^\/console/, '').replace(/\/+$/, '') || '/';

export function navigate(to: string, replace = false) {
  const url = `${BASE}${to}`;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  for (const listener of listeners) listener();
  window.scrollTo(0, 0);
}

addEventListener('popstate', () => { for (const listener of listeners) listener(); });

export function usePath(): string {
  const [current, setCurrent] = useState(path());
  useEffect(() => {
    const update = () => setCurrent(path());
    listeners.add(update);
    return () => { listeners.delete(update); };
  }, []);
  return current;
}

/** `/wireguard/:id` against `/wireguard/abc` → { id: 'abc' }; undefined when it does not match. */
export function match(pattern: string, current: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const have = current.split('/');
  if (want.length !== have.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of want.entries()) {
    const value = have[i] ?? '';
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(value);
    else if (part !== value) return undefined;
  }
  return params;
}

/** An in-page link that changes the URL without reloading; modified clicks open as the browser would. */
export function linkProps(to: string) {
  return {
    href: `${BASE}${to}`,
    onClick: (event: MouseEvent) => {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      navigate(to);
    },
  };
}
