'use client';

import * as ToastPrimitive from '@radix-ui/react-toast';
import { useSyncExternalStore } from 'react';
import { ApiError } from '@/lib/api/client';
import { cn } from './cn';
import { XIcon } from './icons';

export interface ToastItem {
  id: number;
  title: string;
  description?: string;
  requestId?: string;
  variant: 'success' | 'error' | 'info';
}

let items: ToastItem[] = [];
let nextId = 1;
const listeners = new Set<() => void>();
const emit = () => {
  for (const l of listeners) l();
};

export function toast(input: Omit<ToastItem, 'id' | 'variant'> & { variant?: ToastItem['variant'] }) {
  items = [...items.slice(-3), { id: nextId++, variant: 'info', ...input }];
  emit();
}

toast.success = (title: string, description?: string) => toast({ title, description, variant: 'success' });
/** An error toast with the API's message and request id. */
toast.error = (title: string, error?: unknown) =>
  toast({
    title,
    description: error instanceof Error ? error.message : typeof error === 'string' ? error : undefined,
    requestId: error instanceof ApiError ? error.requestId : undefined,
    variant: 'error',
  });

function dismiss(id: number) {
  items = items.filter((t) => t.id !== id);
  emit();
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};
const snapshot = () => items;
const serverSnapshot = (): ToastItem[] => [];

export function Toaster() {
  const list = useSyncExternalStore(subscribe, snapshot, serverSnapshot);
  return (
    <ToastPrimitive.Provider swipeDirection="right" duration={6000}>
      {list.map((t) => (
        <ToastPrimitive.Root
          key={t.id}
          type={t.variant === 'error' ? 'foreground' : 'background'}
          duration={t.variant === 'error' ? 10_000 : 5000}
          onOpenChange={(open) => {
            if (!open) dismiss(t.id);
          }}
          className={cn(
            'pointer-events-auto relative flex w-full items-start gap-3 rounded-xl border bg-surface p-4 pr-10 shadow-lg',
            'data-[state=open]:motion-safe:animate-[pop-in_140ms_ease-out] data-[swipe=move]:translate-x-[var(--radix-toast-swipe-move-x)]',
            t.variant === 'error' ? 'border-danger/50' : t.variant === 'success' ? 'border-success/50' : 'border-border',
          )}
        >
          <span
            aria-hidden="true"
            className={cn(
              'mt-1.5 size-2 shrink-0 rounded-full',
              t.variant === 'error' ? 'bg-danger' : t.variant === 'success' ? 'bg-success' : 'bg-accent',
            )}
          />
          <div className="min-w-0 text-sm">
            <ToastPrimitive.Title className="font-semibold">{t.title}</ToastPrimitive.Title>
            {t.description && (
              <ToastPrimitive.Description className="mt-0.5 text-foreground/90">{t.description}</ToastPrimitive.Description>
            )}
            {t.requestId && (
              <p className="mt-1 text-xs text-muted">
                Request ID: <code className="font-mono select-all">{t.requestId}</code>
              </p>
            )}
          </div>
          <ToastPrimitive.Close
            aria-label="Dismiss"
            className="absolute top-3 right-3 rounded-md p-1 text-muted hover:bg-surface-2 hover:text-foreground"
          >
            <XIcon className="size-4" />
          </ToastPrimitive.Close>
        </ToastPrimitive.Root>
      ))}
      <ToastPrimitive.Viewport className="fixed right-0 bottom-0 z-[100] flex w-full max-w-sm flex-col gap-2 p-4 outline-none" />
    </ToastPrimitive.Provider>
  );
}
