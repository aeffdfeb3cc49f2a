'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { toast } from '@/components/ui/toast';
import { authClient, authErrorMessage } from './auth-client';

export function useSignOut() {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [pending, setPending] = useState(false);
  async function signOut() {
    setPending(true);
    const { error } = await authClient.signOut();
    setPending(false);
    if (error) {
      toast.error('Could not sign out', authErrorMessage(error));
      return;
    }
    queryClient.clear();
    router.replace('/sign-in');
    router.refresh();
  }
  return { signOut, pending };
}
