import type { Metadata } from 'next';
import { AcceptInvitation } from './accept-invitation';

export const metadata: Metadata = { title: 'Join a workspace' };

export default async function InvitationPage({ params }: PageProps<'/invitations/[invitationId]'>) {
  const { invitationId } = await params;
  return <AcceptInvitation invitationId={invitationId} />;
}
