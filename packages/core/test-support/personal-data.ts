import { z } from 'zod';
import { defineEvent } from '../src/messages/define-event.ts';

// Test events with personal fields, shared by the personal data tests.

const address = z.object({ line1: z.string(), city: z.string() });

// #region define-personal-event
export const MemberJoined = defineEvent(
  'MemberJoined',
  z.object({ memberId: z.string(), name: z.string(), email: z.email(), address }),
  {
    personal: {
      subject: (data) => `member-${data.memberId}`,
      fields: ['name', 'email', 'address'],
      forgotten: { address: { line1: '[forgotten]', city: '[forgotten]' } },
    },
  },
);
// #endregion define-personal-event
export const PointsEarned = defineEvent(
  'PointsEarned',
  z.object({ memberId: z.string(), points: z.number().int() }),
);

export const joined = (memberId: string, marker: string) =>
  MemberJoined.create({
    memberId,
    name: `Name ${marker}`,
    email: `${marker}@example.com`,
    address: { line1: `Street ${marker}`, city: 'Lyon' },
  });

// #region two-subjects
export const GiftSent = defineEvent(
  'GiftSent',
  z.object({ fromId: z.string(), fromName: z.string(), toId: z.string(), toName: z.string() }),
  {
    personal: {
      subject: (data) => `member-${data.fromId}`,
      fields: ['fromName', 'toName'],
      // The recipient's name is the recipient's: forgetting the sender leaves it readable.
      subjects: { toName: (data) => `member-${data.toId}` },
    },
  },
);
// #endregion two-subjects
