'use client';

import { useCallback, useEffect, useRef, useState } from 'react';

type ApiStatus = { state: 'checking' } | { state: 'online'; version: string; environment: string } | { state: 'unreachable' };

const STATUS_URL = '/api/v1/status';
const TIMEOUT_MS = 5000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Narrows the backend envelope `{ success: true, data: { status: "ok", version, environment } }`. */
function parseStatus(body: unknown): ApiStatus {
  if (!isRecord(body) || body.success !== true || !isRecord(body.data)) {
    return { state: 'unreachable' };
  }
  const { status, version, environment } = body.data;
  if (status !== 'ok') return { state: 'unreachable' };
  return {
    state: 'online',
    version: typeof version === 'string' ? version : 'unknown version',
    environment: typeof environment === 'string' ? environment : 'unknown environment',
  };
}

async function fetchStatus(signal: AbortSignal): Promise<ApiStatus> {
  try {
    const response = await fetch(STATUS_URL, {
      signal,
      headers: { accept: 'application/json' },
      cache: 'no-store',
    });
    if (!response.ok) return { state: 'unreachable' };
    return parseStatus(await response.json());
  } catch {
    return { state: 'unreachable' };
  }
}

export function ApiStatusWidget() {
  const [status, setStatus] = useState<ApiStatus>({ state: 'checking' });
  const controllerRef = useRef<AbortController | null>(null);

  const check = useCallback(() => {
    controllerRef.current?.abort();
    const controller = new AbortController();
    controllerRef.current = controller;
    const timer = window.setTimeout(() => controller.abort(), TIMEOUT_MS);
    setStatus({ state: 'checking' });
    fetchStatus(controller.signal).then((next) => {
      window.clearTimeout(timer);
      // Ignore results of checks that were superseded or unmounted; a timeout
      // aborts the request itself and already resolves to "unreachable".
      if (controllerRef.current === controller) setStatus(next);
    });
  }, []);

  useEffect(() => {
    check();
    return () => {
      controllerRef.current?.abort();
      controllerRef.current = null;
    };
  }, [check]);

  const dotClass =
    status.state === 'online' ? 'bg-success' : status.state === 'unreachable' ? 'bg-danger' : 'bg-muted motion-safe:animate-pulse';

  return (
    <div className="flex flex-wrap items-center gap-x-3 gap-y-2 rounded-lg border border-border bg-surface px-4 py-3 text-sm">
      <span aria-hidden="true" className={`inline-block size-2.5 shrink-0 rounded-full ${dotClass}`} />
      <p role="status" aria-live="polite" aria-atomic="true" className="text-foreground">
        <span className="font-medium">API:</span> {status.state === 'checking' && <span className="text-muted">checking…</span>}
        {status.state === 'online' && (
          <span>
            online{' '}
            <span className="text-muted">
              ({status.version}, {status.environment})
            </span>
          </span>
        )}
        {status.state === 'unreachable' && <span>unreachable</span>}
      </p>
      {status.state === 'unreachable' && (
        <button
          type="button"
          onClick={check}
          className="ml-auto rounded-md px-2 py-1 font-medium text-accent underline-offset-4 hover:underline"
        >
          Check again
        </button>
      )}
    </div>
  );
}
