import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiFailure } from './api.ts';
import type { GatewayStatus } from './types.ts';

export const REFRESH_MS = 5000;

export interface Loaded<T> { data?: T; error?: Error; loading: boolean; reload: () => Promise<void> }

/** Loads once, then every `refreshMs` while the tab is visible (none: only on reload). */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], refreshMs?: number): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const current = useRef(load);
  current.current = load;
  const reload = useCallback(async () => {
    try {
      const data = await current.current();
      setState({ data, loading: false });
    } catch (error) {
      setState((s) => ({ ...s, error: error as Error, loading: false }));
    }
  }, []);
  useEffect(() => {
    setState({ loading: true });
    void reload();
    if (!refreshMs) return undefined;
    const timer = setInterval(() => { if (!document.hidden) void reload(); }, refreshMs);
    const onVisible = () => { if (!document.hidden) void reload(); };
    document.addEventListener('visibilitychange', onVisible);
    return () => { clearInterval(timer); document.removeEventListener('visibilitychange', onVisible); };
  }, deps);
  return { ...state, reload };
}

export function ErrorBox({ error }: { error: Error | string | undefined }) {
  if (!error) return null;
  const text = typeof error === 'string' ? error : error.message;
  const status = error instanceof ApiFailure ? `${error.status}: ` : '';
  return <p class="error" role="alert">{status}{text}</p>;
}

export function Loading({ what }: { what: string }) {
  return <p class="loading" aria-busy="true">Loading {what}…</p>;
}

export function StatusBadge({ status, message }: { status: GatewayStatus; message?: string | null | undefined }) {
  return (
    <span class={`status status-${status.toLowerCase()}`} title={message ?? undefined}>
      {status}{message ? <span class="status-message">: {message}</span> : null}
    </span>
  );
}

interface FieldProps {
  label: string;
  name: string;
  value: string;
  onInput: (value: string) => void;
  error?: string | undefined;
  hint?: string;
  type?: string;
  required?: boolean;
  placeholder?: string;
  list?: string;
  multiline?: boolean;
  autoComplete?: string;
  children?: ComponentChildren;
}

/** A labelled input with the API's message for its property under it. */
export function Field(p: FieldProps) {
  const id = `field-${p.name}`;
  const describedBy = [p.error ? `${id}-error` : '', p.hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
  const common = {
    id, name: p.name, value: p.value, required: p.required, placeholder: p.placeholder, 'aria-invalid': p.error ? true : undefined,
    'aria-describedby': describedBy, onInput: (e: Event) => p.onInput((e.currentTarget as HTMLInputElement).value),
  };
  return (
    <div class={`field${p.error ? ' invalid' : ''}`} data-field={p.name}>
      <label for={id}>{p.label}{p.required ? ' *' : ''}</label>
      <div class="field-row">
        {p.multiline ? <textarea rows={3} {...common} /> : <input type={p.type ?? 'text'} list={p.list} autoComplete={p.autoComplete ?? 'off'} spellcheck={false} {...common} />}
        {p.children}
      </div>
      {p.hint ? <small id={`${id}-hint`} class="hint">{p.hint}</small> : null}
      {p.error ? <small id={`${id}-error`} class="field-error" role="alert">{p.error}</small> : null}
    </div>
  );
}

export function Select({ label, name, value, options, onInput, error }: {
  label: string; name: string; value: string; options: readonly string[]; onInput: (v: string) => void; error?: string | undefined;
}) {
  const id = `field-${name}`;
  return (
    <div class={`field${error ? ' invalid' : ''}`} data-field={name}>
      <label for={id}>{label}</label>
      <select id={id} name={name} value={value} onChange={(e) => onInput((e.currentTarget as HTMLSelectElement).value)}>
        {options.map((o) => <option key={o} value={o}>{o || '(default)'}</option>)}
      </select>
      {error ? <small class="field-error" role="alert">{error}</small> : null}
    </div>
  );
}

/** A confirmation that names what goes with the deletion; Escape or Cancel keeps everything. */
export function ConfirmDelete({ title, consequences, onConfirm, onCancel }: {
  title: string; consequences: string; onConfirm: () => Promise<void>; onCancel: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  useEffect(() => { dialog.current?.showModal(); }, []);
  return (
    <dialog ref={dialog} class="confirm" onCancel={(e) => { e.preventDefault(); onCancel(); }} aria-labelledby="confirm-title">
      <h2 id="confirm-title">{title}</h2>
      <p>{consequences}</p>
      <ErrorBox error={error} />
      <div class="actions">
        <button type="button" onClick={onCancel} autofocus>Cancel</button>
        <button type="button" class="danger" disabled={busy} onClick={async () => {
          setBusy(true);
          try { await onConfirm(); } catch (e) { setError(e as Error); setBusy(false); }
        }}>Delete</button>
      </div>
    </dialog>
  );
}

/** Submits, and answers the API's messages by field for the form to show; '' holds the rest. */
export function useSubmit(action: () => Promise<void>) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      await action();
    } catch (error) {
      setErrors(error instanceof ApiFailure ? error.byField() : { '': (error as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return { errors, busy, submit, setErrors };
}

/** Offers text as a file download made in the page (nothing is sent anywhere). */
export function download(filename: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The messages no field of the form shows. */
export function otherErrors(errors: Record<string, string>, shown: string[]): string | undefined {
  const rest = Object.entries(errors).filter(([field]) => !shown.includes(field)).map(([, message]) => message);
  return rest.length > 0 ? rest.join(' ') : undefined;
}

export function Properties({ rows }: { rows: Array<[string, ComponentChildren]> }) {
  return (
    <dl class="properties">
      {rows.map(([label, value]) => <div key={label}><dt>{label}</dt><dd>{value ?? <span class="muted">—</span>}</dd></div>)}
    </dl>
  );
}
