import type { VersionFact } from '../kit/versions.ts';

export const versions: VersionFact[] = [];
