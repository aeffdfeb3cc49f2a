import { preload } from 'react-dom';
import { WorkspaceShell } from '@/components/workspace-shell';

export default async function WorkspaceLayout({ children, params }: LayoutProps<'/w/[tenantId]'>) {
  const { tenantId } = await params;
  // Every workspace page starts with GET /api/v1/me (the session gate and the shell need it): let the
  // browser fetch it with the HTML instead of after the scripts have run (a shorter path to content).
  preload('/api/v1/me', { as: 'fetch', crossOrigin: 'use-credentials' });
  return <WorkspaceShell tenantId={tenantId}>{children}</WorkspaceShell>;
}
