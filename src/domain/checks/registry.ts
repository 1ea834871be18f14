import type { TObject } from '@sinclair/typebox';
import type { CheckDefinition } from './check-definition.js';
import { faceComparison } from './definitions/face-comparison.check.js';
import { familiarFaceSearch } from './definitions/familiar-face-search.check.js';
import { idDocumentAuthenticity } from './definitions/id-document-authenticity.check.js';
import { idDocumentFaceMatch } from './definitions/id-document-face-match.check.js';
import { idDocumentTextData } from './definitions/id-document-text-data.check.js';
import { liveness } from './definitions/liveness.check.js';

/** The checks a registry knows, looked up by type. */
export class CheckRegistry {
  private readonly byType: ReadonlyMap<string, CheckDefinition<TObject>>;

  constructor(definitions: readonly CheckDefinition<TObject>[]) {
    this.byType = new Map(definitions.map((d) => [d.type, d]));
    if (this.byType.size !== definitions.length) throw new Error('two check definitions share a type');
  }

  get(type: string): CheckDefinition<TObject> | undefined {
    return this.byType.get(type);
  }

  get types(): string[] {
    return [...this.byType.keys()];
  }

  /** The checks a task makes when it finishes (generatedBy). */
  generatedBy(task: string): CheckDefinition<TObject>[] {
    return [...this.byType.values()].filter((d) => d.generatedBy?.task === task);
  }
}

/** Every check openidv performs. A new check is one file in definitions/ and one line here. */
export const CHECK_DEFINITIONS: readonly CheckDefinition<TObject>[] = [
  idDocumentAuthenticity,
  idDocumentFaceMatch,
  faceComparison,
  liveness,
  familiarFaceSearch,
  idDocumentTextData,
];

export const CHECKS = new CheckRegistry(CHECK_DEFINITIONS);
