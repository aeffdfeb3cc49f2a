/**
 * The plans, as configuration. Billing seeds its plans table from this list; until then the limits
 * here are the ones the product enforces. Prices are integers in cents; -1 means "unlimited".
 */
export interface PlanLimits {
  members: number;
  projects: number;
  tasks: number;
  ai_tokens_per_month: number;
  api_requests_per_minute: number;
  audit_retention_days: number;
}

export interface PlanFeatures {
  api_keys: boolean;
  ai: boolean;
  audit_export: boolean;
  webhooks: boolean;
}

export interface PlanDefinition {
  id: 'free' | 'pro' | 'business';
  name: string;
  prices: { monthly: number; yearly: number };
  features: PlanFeatures;
  limits: PlanLimits;
}

export const PLANS: PlanDefinition[] = [
  {
    id: 'free',
    name: 'Free',
    prices: { monthly: 0, yearly: 0 },
    features: { api_keys: false, ai: false, audit_export: false, webhooks: false },
    limits: { members: 5, projects: 3, tasks: 200, ai_tokens_per_month: 0, api_requests_per_minute: 120, audit_retention_days: 7 },
  },
  {
    id: 'pro',
    name: 'Pro',
    prices: { monthly: 1200, yearly: 12000 },
    features: { api_keys: true, ai: true, audit_export: true, webhooks: true },
    limits: {
      members: 25,
      projects: 50,
      tasks: 20_000,
      ai_tokens_per_month: 2_000_000,
      api_requests_per_minute: 600,
      audit_retention_days: 90,
    },
  },
  {
    id: 'business',
    name: 'Business',
    prices: { monthly: 4900, yearly: 49000 },
    features: { api_keys: true, ai: true, audit_export: true, webhooks: true },
    limits: {
      members: -1,
      projects: -1,
      tasks: -1,
      ai_tokens_per_month: 20_000_000,
      api_requests_per_minute: 3000,
      audit_retention_days: 365,
    },
  },
];
