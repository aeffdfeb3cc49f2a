import type { Metadata } from 'next';
import { Onboarding } from './onboarding';

export const metadata: Metadata = { title: 'Create a workspace' };

export default function OnboardingPage() {
  return <Onboarding />;
}
