import type { ReactNode } from 'react';
import type { Role, TaskPriority, TaskStatus } from '@/lib/api/client';
import { PRIORITY_LABEL, ROLE_LABEL, STATUS_LABEL } from '@/lib/format';
import { cn } from './cn';

const tones = {
  neutral: 'bg-surface-2 text-foreground border-border',
  accent: 'bg-accent-soft text-accent border-transparent',
  success: 'bg-success-soft text-success border-transparent',
  warning: 'bg-warning-soft text-warning border-transparent',
  danger: 'bg-danger-soft text-danger border-transparent',
} as const;

export function Badge({ tone = 'neutral', children, className }: { tone?: keyof typeof tones; children: ReactNode; className?: string }) {
  return (
    <span
      className={cn(
        'inline-flex items-center gap-1 rounded-full border px-2 py-0.5 text-xs font-medium whitespace-nowrap',
        tones[tone],
        className,
      )}
    >
      {children}
    </span>
  );
}

const statusTone: Record<TaskStatus, keyof typeof tones> = { todo: 'neutral', in_progress: 'accent', done: 'success', canceled: 'neutral' };
const statusDot: Record<TaskStatus, string> = {
  todo: 'border-2 border-muted',
  in_progress: 'border-2 border-accent bg-[conic-gradient(var(--accent)_50%,transparent_0)]',
  done: 'bg-success',
  canceled: 'bg-muted',
};

export function StatusDot({ status }: { status: TaskStatus }) {
  return <span aria-hidden="true" className={cn('inline-block size-2.5 shrink-0 rounded-full', statusDot[status])} />;
}

export function StatusBadge({ status }: { status: TaskStatus }) {
  return (
    <Badge tone={statusTone[status]} className={status === 'canceled' ? 'line-through decoration-muted' : undefined}>
      <StatusDot status={status} />
      {STATUS_LABEL[status]}
    </Badge>
  );
}

const priorityTone: Record<TaskPriority, keyof typeof tones> = { urgent: 'danger', high: 'warning', medium: 'neutral', low: 'neutral' };

export function PriorityBadge({ priority }: { priority: TaskPriority }) {
  return (
    <Badge tone={priorityTone[priority]}>
      <span aria-hidden="true" className="font-mono text-[10px] leading-none">
        {priority === 'urgent' ? '!!!' : priority === 'high' ? '!!' : priority === 'medium' ? '!' : '·'}
      </span>
      {PRIORITY_LABEL[priority]}
    </Badge>
  );
}

export function RoleBadge({ role }: { role: Role }) {
  return <Badge tone={role === 'owner' || role === 'admin' ? 'accent' : 'neutral'}>{ROLE_LABEL[role]}</Badge>;
}
