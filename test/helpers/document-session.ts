import { ClientApi } from './client-api.js';
import { yoti } from './yoti.js';

// A session asking for the document checks and text extraction, opened up to the point where its ID
// document's pages can be uploaded (documents and hostile-images end-to-end tests).

type IdvClient = InstanceType<typeof yoti.IDVClient>;

export async function openDocumentCapture(
  client: IdvClient,
  apiUrl: string,
  country = 'GBR',
  documentType = 'PASSPORT',
  expandedFields = false,
) {
  const spec = new yoti.SessionSpecificationBuilder()
    .withRequestedCheck(new yoti.RequestedDocumentAuthenticityCheckBuilder().build())
    .withRequestedCheck(new yoti.RequestedFaceMatchCheckBuilder().withManualCheckNever().build())
    .withRequestedCheck(new yoti.RequestedLivenessCheckBuilder().forStaticLiveness().build())
    .withRequestedTask(
      new yoti.RequestedTextExtractionTaskBuilder()
        .withManualCheckNever()
        .withCreateExpandedDocumentFields(expandedFields)
        .build(),
    )
    .withSdkConfig(new yoti.SdkConfigBuilder().withAllowsCameraAndUpload().build())
    .build();
  const session = await client.createSession(spec);
  const id: string = session.getSessionId();
  const api = new ClientApi(apiUrl, id, session.getClientSessionToken());
  await api.consent();
  const requirement = (await api.configuration()).body.requirements.find(
    (r: { type: string }) => r.type === 'ID_DOCUMENT',
  );
  const doc = await api.createDocument(requirement.id, documentType, country);
  return { id, api, documentId: doc.body.id as string };
}

export async function waitUntilCompleted(client: IdvClient, id: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await client.getSession(id)).getState() !== 'COMPLETED') {
    if (Date.now() > deadline) throw new Error('session did not complete');
    await new Promise((r) => setTimeout(r, 250));
  }
}
