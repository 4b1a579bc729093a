// How the orders service turns an order event into a Kafka record (a kafkajs message) for the
// `orders` topic. The topic has 3 partitions; a consumer group of 3 reads it. Support says some
// orders are marked shipped before they are paid: a consumer saw "shipped" before "paid".

export interface OrderEvent {
  /** Unique to this event. */
  eventId: string;
  orderId: string;
  type: 'created' | 'paid' | 'shipped';
  /** When the service emitted it (ms since the epoch). */
  at: number;
}

export function toRecord(event: OrderEvent): { key?: string; value: string; partition?: number } {
  // Everything in partition 0: one partition is read in order.
  return { partition: 0, value: JSON.stringify(event) };
}
