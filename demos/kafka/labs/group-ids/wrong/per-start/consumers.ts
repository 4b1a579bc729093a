// Two services read the `orders` topic: billing charges each order, email sends its receipt. Each
// calls consumerConfig() once when it starts, and makes its consumer with the result:
// new Kafka({ clientId, brokers }).consumer({ groupId }), subscribed with fromBeginning: true.
// Since the email service went live, billing has charged only some of the orders, and email has
// sent receipts for only some of them too.

import { randomUUID } from 'node:crypto';

export function consumerConfig(service: 'billing' | 'email'): {
  groupId: string;
  clientId?: string;
} {
  // A group id no other consumer can have.
  return { groupId: `orders-${service}-${randomUUID()}` };
}
