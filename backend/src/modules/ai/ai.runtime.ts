/**
 * AI's place in the runtime: the model registry seeded at start-up, and one `Ai` per process (the
 * gateway, with its rate-limit window and provider clients, plus what services and jobs need).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { AppConfig } from '../../config.ts';
import type { AppDb, Database } from '../../db/client.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import { upsertModels } from './ai.repository.ts';
import { AiGateway } from './gateway.ts';
import { loadModelEntries } from './models.config.ts';

/** Upserts `ai_models` from models.config.ts (or AI_MODELS_FILE), as the owner role. */
export async function seedAiModels(database: Database, config: AppConfig): Promise<void> {
  const entries = await loadModelEntries(config.ai.modelsFile);
  await database.withOwner((runner) => upsertModels(runner, entries));
}

export interface AiDeps {
  config: AppConfig;
  db: AppDb;
  jobs: JobQueue;
  log: FastifyBaseLogger;
  gateway: AiGateway;
}

export class Ai implements AiDeps {
  readonly config: AppConfig;
  readonly db: AppDb;
  readonly jobs: JobQueue;
  readonly log: FastifyBaseLogger;
  readonly gateway: AiGateway;

  constructor(deps: { config: AppConfig; db: AppDb; jobs: JobQueue; log: FastifyBaseLogger }) {
    this.config = deps.config;
    this.db = deps.db;
    this.jobs = deps.jobs;
    this.log = deps.log.child({ module: 'ai' });
    this.gateway = new AiGateway({ config: deps.config, db: deps.db, log: deps.log });
  }
}

export function createAi(deps: { config: AppConfig; db: AppDb; jobs: JobQueue; log: FastifyBaseLogger }): Ai {
  return new Ai(deps);
}
