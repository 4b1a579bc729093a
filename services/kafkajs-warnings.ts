// One warning kafkajs makes Node print, dropped where kafkajs clients are made (the services'
// probe, the kafka demo and its member processes). No imports: a member process loads it too.

let quietened = false;

/**
 * kafkajs 2.2.4 passes a negative delay to setTimeout (its request queue schedules
 * `throttledUntil - Date.now()` while no throttle is set; tulios/kafkajs#1751), and Node 24+
 * reports each one as a TimeoutNegativeWarning on stderr. The delay is harmless (Node uses 1 ms,
 * as kafkajs meant), so that one warning type is dropped; every other warning still prints.
 */
export function quietKafkajsTimeouts(): void {
  if (quietened) return;
  quietened = true;
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: unknown, ...rest: unknown[]) => {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string })?.type;
    if (type === 'TimeoutNegativeWarning') return;
    emit(warning, ...rest);
  }) as typeof process.emitWarning;
}
