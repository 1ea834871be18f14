import type { Static, TObject } from '@sinclair/typebox';
import type { FaceEvidence, FaceOutcome, UsableFace } from '../pipeline/face-evidence.js';
import type { Box } from '../ports/face-engine.port.js';
import type { DocumentRead } from '../ports/document-reader.port.js';
import type { AnalysedFace } from '../ports/face-engine.port.js';
import type { PoolCandidate } from '../pools/pool-search.js';
import type { PoolDecisionPolicy } from '../pools/pool-threshold.js';
import type { PoolRecord } from '../pools/pool.types.js';
import type {
  CheckRecord,
  MediaRecord,
  MediaRef,
  Report,
  ResourceRecord,
  SessionBundle,
  TaskRecord,
} from '../sessions/session.types.js';
import type { BurstVerdict } from './static-burst.js';
import type { FaceMatchEvidence } from './face-match.verdict.js';
import type { ScoreBand } from './manual-check.js';
import type { ReviewBand } from '../pools/review-band.js';

// One check type, whole: what a session may ask of it, what it makes the user capture, how it is evaluated and
// what its report says. Each lives in definitions/<type>.check.ts and is listed once in registry.ts; the spec
// validator, the requirements, the pipeline and the review rules read it from there.

/** What evaluating a check produced; `review` names why a person must decide it (the manual check's reason). */
export interface CheckOutcome {
  report: Report;
  resourcesUsed: string[];
  /** Media the check produced or rests on (a text data check: the extracted fields). */
  generatedMedia?: MediaRef[];
  config?: Record<string, unknown>;
  review?: string | null;
}

/** A capture a check needs; requirements.ts turns the needs of all checks into the session's requirements. */
export type RequirementNeed =
  | { type: 'ID_DOCUMENT' }
  | { type: 'SELFIE'; maxRetries?: number; livenessType?: 'STATIC' | 'ZOOM' }
  | { type: 'FACE_CAPTURE' };

/** A refusal of one setting, `property` relative to the check's config. */
export interface ConfigProblem {
  property: string;
  message: string;
}

/** What spec rules that need the outside world can ask (before the session is stored). */
export interface SpecContext {
  appId: string;
  poolExists(poolId: string): Promise<boolean>;
}

/** A face to compare (from an analysis or an enrolled applicant), or why there is none. */
/** A face to compare: its embedding, the set it is from and (when it can be) the same face under another set. */
export type Comparable =
  | {
      face: { embedding: Float32Array };
      others?: Box[];
      modelSetId?: string;
      under?: (modelSetId: string) => Promise<Float32Array | null>;
    }
  | Exclude<FaceOutcome, { face: unknown }>;

/** One reading of an ID document (MRZ and quality), and the page it came from. */
export interface StoredDocumentRead extends DocumentRead {
  /** Index of the page the reading comes from (the one with the MRZ, else the first). */
  page: number;
}

/** The document reading shared by the text extraction task and the document checks. */
export interface DocumentEvidence {
  reading(bundle: SessionBundle, resource: ResourceRecord): Promise<StoredDocumentRead | null>;
  portrait(
    bundle: SessionBundle,
    resource: ResourceRecord,
    read: StoredDocumentRead | null,
  ): Promise<{ media: MediaRecord; face: AnalysedFace } | null>;
}

/** The evidence a check may gather: faces, captures, pools and documents of the session (pipeline/check-evidence.ts). */
export interface CheckEvidence {
  readonly faces: Pick<FaceEvidence, 'singleFace' | 'largestFace'>;
  readonly documents: DocumentEvidence;
  readonly livenessThreshold: number;
  /** Scores too close to a threshold for the machine's verdict to stand alone (manual_check FALLBACK). */
  readonly reviewBands: { readonly liveness: ScoreBand; readonly faceMatch: ScoreBand };
  now(): number;
  mediaOf(bundle: SessionBundle, id: string | undefined): MediaRecord | null;
  /** The selfie: the latest liveness capture, else an end-user face capture. */
  selfie(bundle: SessionBundle): { resource: ResourceRecord | null; media: MediaRecord | null };
  /** The relying party's reference face (an upload or an enrolled applicant's face). */
  referenceFace(bundle: SessionBundle, reference: ResourceRecord): Promise<Comparable>;
  /** Compares two faces under one model set (embedding one of them again when they come from two). */
  compare(selfie: Comparable, reference: Comparable | null, missingReason: string): Promise<FaceMatchEvidence>;
  /** Whether a capture carried a valid, single-use, server-issued challenge bound to its bytes. */
  /** A STATIC liveness capture: bound to its challenge, in time, and a burst of one live scene (static-burst.ts). */
  verifyBurst(bundle: SessionBundle, resource: ResourceRecord | null): Promise<BurstVerdict>;
  pool(appId: string, poolId: string): Promise<PoolRecord | null>;
  /** The best candidates, the match threshold in force and the pool's review band below it. */
  /** Searches the pool with a session face (embedded again under the pool's set when that is another). */
  searchPool(
    pool: PoolRecord,
    probe: UsableFace,
  ): Promise<{ candidates: PoolCandidate[]; policy: PoolDecisionPolicy; band: ReviewBand }>;
}

export interface CheckContext {
  check: CheckRecord;
  bundle: SessionBundle;
  evidence: CheckEvidence;
}

/** What evaluating a check produced. */
export interface Evaluation {
  report: Report;
  resourcesUsed: string[];
  /** The config echoed in the session result, when the evaluation adds to it. */
  config?: Record<string, unknown>;
  /** Why the result is too uncertain to stand without a person (manual-check.ts REVIEW_REASONS): FALLBACK sends it to review. */
  inconclusive?: string;
}

/** What a person's decision rewrites in a report (lifecycle/reviewed-report.ts). */
export interface ReviewedReportRule {
  /** The sub-check the person decides: rewritten, or added when the automated report lacks it. */
  subCheck: string;
  /** The reason of a REJECT the machine had not made itself (e.g. MATCH_FOUND). */
  rejectReason?: string;
}

export interface CheckDefinition<S extends TObject = TObject> {
  /** The type as the API names it (requested_checks[].type). */
  readonly type: string;
  /** Every key an official SDK sends for the type; a key listed here is validated and stored, others refused. */
  readonly config: S;
  /** Keys other SDKs send for sub-checks openidv does not perform: accepted so those SDKs work, never stored. */
  readonly ignoredConfigKeys?: readonly string[];
  /**
   * A check a task makes for each document it read, as Yoti's text extraction makes ID_DOCUMENT_TEXT_DATA_CHECK:
   * never requested (a request for it is refused, naming the task), created with an empty config and the task's
   * resource in resources_used when the finished task says so, then evaluated like any check.
   */
  readonly generatedBy?: { task: string; when(finished: TaskRecord): boolean };
  /** Sets defaults on a config before it is validated. */
  defaults?(config: Record<string, unknown>): void;
  /** A valid setting that openidv does not perform: refused with UNSUPPORTED_CHECK, never silently ignored. */
  unsupported?(config: Static<S>): ConfigProblem | null;
  /**
   * A capture the check uses but leaves to another check to ask for. A session where no other check asks for it
   * is refused at creation (400 PAYLOAD_VALIDATION naming this check's type, with `message`): the check could only
   * end NOT_AVAILABLE, at once.
   */
  readonly usesCaptureOf?: { need: RequirementNeed['type']; message: string };
  /** What makes two requests of the type the same one (refused as a duplicate); the type by default. */
  instanceKey?(config: Static<S>): string;
  /** Rules that need adapters (a pool of the same app), run before the session is stored. */
  verify?(config: Static<S>, context: SpecContext): Promise<ConfigProblem | null>;
  /** The captures the check needs. */
  needs(config: Static<S>): RequirementNeed[];
  /** Evaluated only once the session's document tasks are done (it reads what they read). */
  readonly waitsForTasks?: boolean;
  /** Gathers the evidence and writes the report. */
  evaluate(config: Static<S>, context: CheckContext): Promise<Evaluation>;
  /**
   * Why a person must decide this result, or null: the session then waits in review. By default the config's
   * manual_check decides (manual-check.ts: ALWAYS, or FALLBACK with an inconclusive evaluation).
   */
  review?(config: Static<S>, report: Report): string | null;
  /** What a reviewer's decision rewrites; by default the report's first sub-check, with no reject reason of its own. */
  reviewed?(config: Static<S>): ReviewedReportRule;
}

/** Types a definition's functions by its config schema. */
export const defineCheck = <S extends TObject>(definition: CheckDefinition<S>): CheckDefinition<S> => definition;

export { ManualCheck } from './manual-check.schema.js';
