import type { PropertyError } from '../errors.js';
import { TEXT_ATTEMPT_CATEGORIES } from '../documents/text-attempts.js';
import type { SdkConfig } from './session-spec.schema.js';

// sdk_config options that change what the capture page shows. Each is either honoured by the page or refused
// here, never accepted and ignored.

/** Yoti's skippable screens ("configurable user flow"), and what openidv's page does with each. */
export const SUPPRESSIBLE_SCREENS = {
  ID_DOCUMENT_EDUCATION: 'the tips before the first document photo are skipped',
  ID_DOCUMENT_REQUIREMENTS:
    'the document choice is skipped when the filter and preset_issuing_country leave a single document',
  FACE_CAPTURE_EDUCATION: 'the tips before the face capture are skipped',
  STATIC_LIVENESS_EDUCATION: 'the tips before the selfie are skipped',
  ZOOM_LIVENESS_EDUCATION:
    'the tips before the ZOOM challenge are skipped (each move is still explained as it is asked)',
  FLOW_COMPLETION:
    "accepted: as on Yoti's web client, the web page always shows its completion screen (Yoti skips it in native SDKs only)",
} as const;

export function sdkConfigErrors(sdk: SdkConfig | undefined): PropertyError[] {
  const errors: PropertyError[] = [];
  sdk?.suppressed_screens?.forEach((screen, i) => {
    if (!Object.hasOwn(SUPPRESSIBLE_SCREENS, screen)) {
      errors.push({
        property: `sdk_config.suppressed_screens[${i}]`,
        message: `unknown screen "${screen.slice(0, 64)}"; known: ${Object.keys(SUPPRESSIBLE_SCREENS).join(', ')}`,
      });
    }
  });
  for (const category of Object.keys(sdk?.attempts_configuration?.ID_DOCUMENT_TEXT_DATA_EXTRACTION ?? {})) {
    if (!Object.hasOwn(TEXT_ATTEMPT_CATEGORIES, category)) {
      errors.push({
        property: `sdk_config.attempts_configuration.ID_DOCUMENT_TEXT_DATA_EXTRACTION.${category.slice(0, 64)}`,
        message: `is not a category openidv can tell apart, so its tries could never be counted; known: ${Object.keys(TEXT_ATTEMPT_CATEGORIES).join(', ')}`,
      });
    }
  }
  if (sdk?.brand_id !== undefined) {
    errors.push({
      property: 'sdk_config.brand_id',
      message:
        "is not supported by openidv: brands live in Yoti's Hub; theme the page with primary_colour, secondary_colour and font_colour",
    });
  }
  return errors;
}
