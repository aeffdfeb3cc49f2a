'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { AuthCard, linkClass } from '@/components/auth-card';
import { Button, buttonClass } from '@/components/ui/button';
import { UsersIcon } from '@/components/ui/icons';
import { ErrorDetails, Loading } from '@/components/ui/states';
import { toast } from '@/components/ui/toast';
import { ApiError, api, call } from '@/lib/api/client';
import { authClient, authErrorMessage } from '@/lib/auth-client';
import { keys } from '@/lib/queries';

export function AcceptInvitation({ invitationId }: { invitationId: string }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const here = `/invitations/${invitationId}`;
  const [resending, setResending] = useState(false);

  const me = useQuery({
    queryKey: ['me', 'invitation'],
    queryFn: async () => {
      const res = await api.GET('/api/v1/me');
      if (res.response.status === 401) return null;
      return (await call(Promise.resolve(res))).data;
    },
    retry: false,
  });

  const accept = useMutation({
    mutationFn: async () =>
      (await call(api.POST('/api/v1/invitations/{invitationId}/accept', { params: { path: { invitationId } } }))).data,
    onSuccess: async (data) => {
      await queryClient.invalidateQueries({ queryKey: keys.me });
      toast.success(`Welcome to ${data.tenant.name}`);
      router.push(`/w/${data.tenant.id}/tasks`);
    },
  });

  async function switchAccount() {
    await authClient.signOut();
    queryClient.clear();
    router.push(`/sign-in?next=${encodeURIComponent(here)}`);
  }

  async function resendVerification(email: string) {
    setResending(true);
    const { error } = await authClient.sendVerificationEmail({ email, callbackURL: `/verify-email?next=${encodeURIComponent(here)}` });
    setResending(false);
    if (error) toast.error('Could not send the email', authErrorMessage(error));
    else router.push(`/verify-email?email=${encodeURIComponent(email)}&next=${encodeURIComponent(here)}`);
  }

  if (me.isPending) return <Loading />;

  if (!me.data) {
    return (
      <AuthCard
        title="You are invited to a workspace"
        description="Someone invited you to collaborate on Atrium. Sign in, or create an account, with the email address the invitation was sent to."
      >
        <div className="flex flex-col gap-3">
          <span className="mb-2 flex size-11 items-center justify-center rounded-full bg-accent-soft text-accent">
            <UsersIcon />
          </span>
          <Link href={`/sign-up?next=${encodeURIComponent(here)}`} className={buttonClass()}>
            Create an account
          </Link>
          <Link href={`/sign-in?next=${encodeURIComponent(here)}`} className={buttonClass({ variant: 'secondary' })}>
            I already have an account
          </Link>
        </div>
      </AuthCard>
    );
  }

  const user = me.data.user;
  const err = accept.error;
  const notForYou = err instanceof ApiError && err.code === 'not_found';
  const unverified = err instanceof ApiError && err.code === 'forbidden';

  return (
    <AuthCard
      title="Join the workspace"
      description={
        <>
          You are signed in as <strong className="text-foreground">{user.email}</strong>. Accept the invitation to join the workspace with
          the role it offers.
        </>
      }
      footer={
        <button type="button" className={linkClass} onClick={switchAccount}>
          Not you? Use another account
        </button>
      }
    >
      <div className="flex flex-col gap-4">
        {err && (
          <div role="alert" className="rounded-lg border border-danger/40 bg-danger-soft px-3 py-2 text-sm">
            {notForYou ? (
              <>
                This invitation does not exist, was revoked, or was sent to another address than {user.email}. Sign in with the invited
                address, or ask for a new invitation.
                {err.requestId && (
                  <span className="mt-1 block text-xs text-muted">
                    Request ID: <code className="font-mono">{err.requestId}</code>
                  </span>
                )}
              </>
            ) : (
              <ErrorDetails error={err} />
            )}
          </div>
        )}
        {!user.emailVerified || unverified ? (
          <>
            <p className="text-sm">Confirm your email address first: invitations can only be accepted from a confirmed address.</p>
            <Button loading={resending} onClick={() => resendVerification(user.email)}>
              Send me the confirmation link
            </Button>
          </>
        ) : (
          <Button loading={accept.isPending} onClick={() => accept.mutate()} disabled={accept.isSuccess}>
            Accept invitation
          </Button>
        )}
      </div>
    </AuthCard>
  );
}
