/**
 * Default decision thresholds of the face checks, chosen from the measured lfw-dev report
 * (`openidv eval faces --lfw ../shared/data/lfw-dev`, model set faceplugin-0.0.1/ultralight320-mfn512-5pt;
 * figures and commands in docs/accuracy.md). Pool (1:N) thresholds are not constants: they depend on the pool
 * size and come from `thresholdForFpir()` over lfw-dev.calibration.json.
 *
 * LFW is celebrities in news photos and probably overlaps the embedder's training data: expect worse error rates
 * on your own applicants, and recalibrate with `--calibration-out` on labelled data of your own.
 */

/**
 * 1:1 face match (selfie against document photo, face comparison): cosine similarity at or above this is a match.
 * It is the lfw-dev operating point at a false match rate of 0.1%, measured over all 14,372,620 cross-identity
 * pairs of the 5,373 embedded images (similarity 0.3352 at FMR 1.0e-3), rounded up to two decimals (the
 * precision API responses carry): at 0.34 FMR is 0.088% and FNMR 1.05% (all 59,258 same-identity pairs;
 * 1.00% at 0.3352). On the 3,000 official pairs the 5-fold accuracy was 99.33% (thresholds 0.277–0.290, which
 * maximise accuracy and so accept ~0.3% false matches: too lax for identity verification).
 */
export const FACE_MATCH_THRESHOLD = 0.34;

/**
 * Stricter 1:1 operating point (FMR 0.01%) for high-assurance flows: similarity 0.4155 at FMR 1.0e-4 on lfw-dev,
 * rounded up; at 0.42 FMR is 0.0087% and FNMR 2.3%.
 */
export const FACE_MATCH_THRESHOLD_STRICT = 0.42;

/**
 * Passive liveness (p(live) from fr_liveness): below this the face is flagged as a possible presentation attack.
 * ADVISORY ONLY, not a presentation-attack-detection control. At 0.5: 3.35% of the 5,373 bona fide lfw-dev photos
 * fall below (BPCER on news photos, not selfies); the 3 real-world attack samples in ../shared/data (printed
 * photo 0.0001, tablet replay 0.11, monitor replay 0.0002) are all below and the one live sample (0.59) above.
 * Three attacks measure nothing statistically; in the prototype (notes §5) synthetic screen and print replays got
 * through at 60% and 87% at this threshold.
 */
export const LIVENESS_THRESHOLD = 0.5;
