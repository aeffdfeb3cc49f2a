import { WorkspaceShell } from '@/components/workspace-shell';

export default async function WorkspaceLayout({ children, params }: LayoutProps<'/w/[tenantId]'>) {
  const { tenantId } = await params;
  return <WorkspaceShell tenantId={tenantId}>{children}</WorkspaceShell>;
}
