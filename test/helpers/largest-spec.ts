import { supportedDocuments } from '../../src/domain/documents/supported-documents.js';
import { yoti } from './yoti.js';

const TYPES = ['PASSPORT', 'DRIVING_LICENCE', 'NATIONAL_ID', 'RESIDENCE_PERMIT', 'STATE_ID'];

/**
 * The largest session specification an integrator plausibly builds with the SDK: every check and task, 10 required
 * documents (the schema's maximum) each restricting all 5 document types one by one to every supported country,
 * and 2 KB URLs and token. It sizes OPENIDV_JSON_BODY_LIMIT (91 KB against 256 KiB).
 */
export function largestSessionSpec(): unknown {
  const countries = supportedDocuments(true).map((c) => c.code);
  const url = `https://verify.example-bank.com/${'p'.repeat(2000)}`;
  let builder = new yoti.SessionSpecificationBuilder()
    .withClientSessionTokenTtl(600)
    .withResourcesTtl(90000)
    .withUserTrackingId('u'.repeat(255))
    .withBlockBiometricConsent(false)
    .withRequestedCheck(new yoti.RequestedLivenessCheckBuilder().forStaticLiveness().withMaxRetries(3).build())
    .withRequestedCheck(new yoti.RequestedFaceMatchCheckBuilder().withManualCheckNever().build())
    .withRequestedCheck(new yoti.RequestedDocumentAuthenticityCheckBuilder().withManualCheckNever().build())
    .withRequestedCheck(new yoti.RequestedFaceComparisonCheckBuilder().withManualCheckNever().build())
    .withRequestedTask(
      new yoti.RequestedTextExtractionTaskBuilder()
        .withManualCheckNever()
        .withChipDataDesired()
        .withCreateExpandedDocumentFields(true)
        .build(),
    );
  for (let d = 0; d < 10; d++) {
    let filter = new yoti.DocumentRestrictionsFilterBuilder()
      .forWhitelist()
      .withAllowExpiredDocuments(false)
      .withAllowNonLatinDocuments(true);
    for (const type of TYPES)
      filter = filter.withDocumentRestriction(
        new yoti.DocumentRestrictionBuilder().withDocumentTypes([type]).withCountries(countries).build(),
      );
    builder = builder.withRequiredDocument(new yoti.RequiredIdDocumentBuilder().withFilter(filter.build()).build());
  }
  return builder
    .withSdkConfig(
      new yoti.SdkConfigBuilder()
        .withAllowsCameraAndUpload()
        .withPrimaryColour('#2d9fff')
        .withSecondaryColour('#ffffff')
        .withFontColour('#000000')
        .withLocale('en-GB')
        .withPresetIssuingCountry('GBR')
        .withSuccessUrl(url)
        .withErrorUrl(url)
        .withPrivacyPolicyUrl(url)
        .withIdDocumentTextExtractionGenericRetries(3)
        .withIdDocumentTextExtractionReclassificationRetries(2)
        .withEarlyBiometricConsentFlow()
        .withAllowHandoff(true)
        .withSuppressedScreens([
          'ID_DOCUMENT_EDUCATION',
          'ID_DOCUMENT_REQUIREMENTS',
          'FACE_CAPTURE_EDUCATION',
          'STATIC_LIVENESS_EDUCATION',
        ])
        .build(),
    )
    .withNotifications(
      new yoti.NotificationConfigBuilder()
        .withEndpoint(url)
        .withAuthToken('t'.repeat(2000))
        .withAuthTypeBearer()
        .forResourceUpdate()
        .forTaskCompletion()
        .forCheckCompletion()
        .forSessionCompletion()
        .withTopic('CLIENT_SESSION_TOKEN_DELETED')
        .build(),
    )
    .build();
}
