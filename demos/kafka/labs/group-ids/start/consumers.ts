// Two services read the `orders` topic: billing charges each order, email sends its receipt. Each
// calls consumerConfig() once when it starts, and makes its consumer with the result:
// new Kafka({ clientId, brokers }).consumer({ groupId }), subscribed with fromBeginning: true.
// Since the email service went live, billing has charged only some of the orders, and email has
// sent receipts for only some of them too.

export function consumerConfig(service: 'billing' | 'email'): {
  groupId: string;
  clientId?: string;
} {
  // TODO: the email service copied this from billing.
  return { groupId: 'orders-consumer' };
}
