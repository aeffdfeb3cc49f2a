'use client';

import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import { Button } from './ui/button';
import { DialogClose, DialogContent, DialogRoot } from './ui/dialog';
import { Field, Textarea } from './ui/field';
import { FormError } from './ui/states';

/** A consequential action that needs a written reason (it goes into the audit log). */
export function ReasonDialog({
  open,
  onOpenChange,
  title,
  description,
  confirmLabel,
  pending,
  error,
  danger,
  onConfirm,
  children,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description: ReactNode;
  confirmLabel: string;
  pending?: boolean;
  error?: unknown;
  danger?: boolean;
  onConfirm: (reason: string) => void;
  children?: ReactNode;
}) {
  const [reason, setReason] = useState('');
  useEffect(() => {
    if (open) setReason('');
  }, [open]);
  function onSubmit(e: FormEvent) {
    e.preventDefault();
    onConfirm(reason.trim());
  }
  return (
    <DialogRoot open={open} onOpenChange={onOpenChange}>
      <DialogContent title={title} description={description}>
        <form onSubmit={onSubmit} className="flex flex-col gap-4">
          <Field label="Reason" hint="Recorded in the audit log.">
            {({ id, describedBy }) => (
              <Textarea
                id={id}
                aria-describedby={describedBy}
                value={reason}
                maxLength={500}
                required
                onChange={(e) => setReason(e.target.value)}
              />
            )}
          </Field>
          {children}
          {error ? <FormError error={error} /> : null}
          <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
            <DialogClose asChild>
              <Button variant="secondary">Cancel</Button>
            </DialogClose>
            <Button type="submit" variant={danger ? 'danger' : 'primary'} loading={pending} disabled={!reason.trim()}>
              {confirmLabel}
            </Button>
          </div>
        </form>
      </DialogContent>
    </DialogRoot>
  );
}
