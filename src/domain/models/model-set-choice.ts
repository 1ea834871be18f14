import { AppError } from '../errors.js';
import type { ModelSetRepository } from '../ports/model-set-repository.port.js';
import type { ScoreCalibration } from '../ports/score-calibration.port.js';

/**
 * Which model set is in force, and what each set's scores mean. The active set is the one configuration pins
 * (OPENIDV_FACE_MODEL_SET), else the store's active one, else the shipped set. It is read from the store on
 * each call (a query, against a face analysis of tens of milliseconds), so an activation made by the command
 * line reaches a running server at once.
 */
export class ModelSetChoice {
  private readonly calibrations = new Map<string, ScoreCalibration>();

  constructor(
    private readonly deps: {
      repo: Pick<ModelSetRepository, 'activeId' | 'poolSets' | 'get'>;
      shippedId: string;
      shippedCalibration: ScoreCalibration;
      /** Turns a stored calibration (the JSON `models eval` wrote) into the scores' meaning; throws when invalid. */
      calibrationFrom: (stored: unknown) => ScoreCalibration;
      pinned?: string;
    },
  ) {}

  get shippedId(): string {
    return this.deps.shippedId;
  }

  /**
   * The set new faces are embedded with and pools migrate to. A pinned set must be installed and calibrated (the
   * command line checks that before activating one; configuration cannot): until it is, faces are refused with
   * 503 and the reason rather than embedded under a set no threshold is known for.
   */
  async active(): Promise<string> {
    const pinned = this.deps.pinned;
    if (pinned === undefined) return (await this.deps.repo.activeId()) ?? this.deps.shippedId;
    try {
      await this.calibration(pinned);
    } catch (err) {
      throw new AppError('SERVICE_UNAVAILABLE', `OPENIDV_FACE_MODEL_SET: ${(err as Error).message}`);
    }
    return pinned;
  }

  /** The active set first, then every other set a pool still searches on (pools not migrated yet). */
  async inUse(): Promise<string[]> {
    const [active, pools] = await Promise.all([this.active(), this.deps.repo.poolSets()]);
    return [active, ...pools.filter((id) => id !== active)];
  }

  /** The calibration of a set; a set without one cannot be compared against a threshold, so this throws. */
  async calibration(modelSetId: string): Promise<ScoreCalibration> {
    if (modelSetId === this.deps.shippedId) return this.deps.shippedCalibration;
    const cached = this.calibrations.get(modelSetId);
    if (cached) return cached;
    const record = await this.deps.repo.get(modelSetId);
    if (!record) throw new Error(`model set ${modelSetId} is not installed`);
    if (record.calibration === null)
      throw new Error(`model set ${modelSetId} has no calibration: run \`openidv models eval\``);
    const calibration = this.deps.calibrationFrom(record.calibration);
    this.calibrations.set(modelSetId, calibration);
    return calibration;
  }
}
