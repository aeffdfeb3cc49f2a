import { z } from 'zod';
import { TASK_PRIORITIES, TASK_STATUSES } from '../../db/schema/index.ts';
import { Id, TenantParams } from '../tenants/tenants.schemas.ts';
import { TASK_SORTS } from './tasks.repository.ts';

/** PostgreSQL text cannot hold NUL characters: refuse them here (400) rather than in the database (500). */
export const noNul = (v: string) => !v.includes('\u0000');
export const NUL_MESSAGE = 'must not contain NUL characters';
/** An id in a path, body or query string. */
export const RefId = Id.refine(noNul, NUL_MESSAGE);

// PostgreSQL has no year 0000 (1 BC is 0001 BC), which the ISO date format would let through.
const DateOnly = z.iso
  .date()
  .refine((d) => !d.startsWith('0000'), 'year 0000 does not exist')
  .describe('YYYY-MM-DD');
const Label = z
  .string()
  .trim()
  .min(1)
  .max(32)
  .regex(/^[^,]+$/, 'labels cannot contain commas')
  .refine(noNul, NUL_MESSAGE);

export const TaskParams = TenantParams.extend({ taskId: RefId.describe('Task id (task_…)') });

export const Task = z
  .object({
    id: z.string(),
    projectId: z.string(),
    title: z.string(),
    description: z.string().describe('Markdown'),
    status: z.enum(TASK_STATUSES),
    priority: z.enum(TASK_PRIORITIES),
    dueDate: z.string().nullable(),
    assigneeId: z.string().nullable(),
    labels: z.array(z.string()),
    position: z.number().describe('Order within its status column (ascending)'),
    version: z.number().int().describe('Increments on every change; the ETag carries it'),
    createdBy: z.string().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    completedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Task' });

const taskFields = {
  title: z.string().trim().min(1).max(200).refine(noNul, NUL_MESSAGE),
  description: z.string().max(10_000).refine(noNul, NUL_MESSAGE),
  status: z.enum(TASK_STATUSES),
  priority: z.enum(TASK_PRIORITIES),
  dueDate: DateOnly.nullable(),
  assigneeId: RefId.nullable(),
  labels: z
    .array(Label)
    .max(10)
    .refine((l) => new Set(l).size === l.length, 'labels must be unique'),
  position: z.number().finite().min(-1e12).max(1e12),
};

export const CreateTaskBody = z.object({
  projectId: RefId,
  title: taskFields.title,
  description: taskFields.description.optional(),
  status: taskFields.status.optional(),
  priority: taskFields.priority.optional(),
  dueDate: taskFields.dueDate.optional(),
  assigneeId: taskFields.assigneeId.optional(),
  labels: taskFields.labels.optional(),
  position: taskFields.position.optional(),
});

export const UpdateTaskBody = z
  .object({
    projectId: RefId.optional(),
    title: taskFields.title.optional(),
    description: taskFields.description.optional(),
    status: taskFields.status.optional(),
    priority: taskFields.priority.optional(),
    dueDate: taskFields.dueDate.optional(),
    assigneeId: taskFields.assigneeId.optional(),
    labels: taskFields.labels.optional(),
    position: taskFields.position.optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'send at least one field to change');

export const ListTasksQuery = z
  .object({
    projectId: RefId.optional(),
    status: z.enum(TASK_STATUSES).optional(),
    priority: z.enum(TASK_PRIORITIES).optional(),
    assigneeId: RefId.optional(),
    label: Label.optional(),
    q: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .refine(noNul, NUL_MESSAGE)
      .optional()
      .describe('Full-text search over title and description, ranked'),
    dueBefore: DateOnly.optional().describe('Due on or before this date'),
    dueAfter: DateOnly.optional().describe('Due on or after this date'),
    sort: z
      .enum([...TASK_SORTS, 'rank'])
      .optional()
      .describe('Default: -createdAt, or rank when q is given; a leading - means descending'),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().max(500).optional().describe('meta.nextCursor of the previous page'),
  })
  .refine((q) => q.sort !== 'rank' || q.q !== undefined, { message: 'sort=rank needs q', path: ['sort'] });

export const IfMatchHeaders = z.object({
  'if-match': z.string().max(200).optional().describe('ETag of the version you are changing; a stale one gets 412'),
});
