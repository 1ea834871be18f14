// How similarity scores of one model set translate into error rates, measured on a labelled dataset.
export interface ScoreCalibration {
  readonly modelSetId: string;
  /** Dataset the figures come from, for reports. */
  readonly dataset: string;
  /** 1:1 decision threshold (face match, face comparison) and its measured false match rate. */
  readonly oneToOneThreshold: number;
  /** Threshold giving false-positive identification rate `fpir` for a stranger against `poolSize` faces. */
  thresholdForFpir(fpir: number, poolSize: number): number;
  /** Probability that one impostor comparison reaches `similarity`. */
  falseMatchRateAt(similarity: number): number;
  /** Probability that one genuine comparison falls below `similarity`. */
  falseNonMatchRateAt(similarity: number): number;
}
