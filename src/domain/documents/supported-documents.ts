import { DOCUMENT_TYPES, type DocumentFilter } from '../sessions/session-spec.schema.js';

// ISO 3166-1 alpha-3 codes, plus RKS (Kosovo) as used in ICAO 9303 documents.
const COUNTRIES = `ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE BDI BEL BEN BES BFA BGD BGR BHR
BHS BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA CAF CAN CCK CHE CHL CHN CIV CMR COD COG COK COL COM CPV CRI CUB
CUW CXR CYM CYP CZE DEU DJI DMA DNK DOM DZA ECU EGY ERI ESH ESP EST ETH FIN FJI FLK FRA FRO FSM GAB GBR GEO GGY GHA
GIB GIN GLP GMB GNB GNQ GRC GRD GRL GTM GUF GUM GUY HKG HMD HND HRV HTI HUN IDN IMN IND IOT IRL IRN IRQ ISL ISR ITA
JAM JEY JOR JPN KAZ KEN KGZ KHM KIR KNA KOR KWT LAO LBN LBR LBY LCA LIE LKA LSO LTU LUX LVA MAC MAF MAR MCO MDA MDG
MDV MEX MHL MKD MLI MLT MMR MNE MNG MNP MOZ MRT MSR MTQ MUS MWI MYS MYT NAM NCL NER NFK NGA NIC NIU NLD NOR NPL NRU
NZL OMN PAK PAN PCN PER PHL PLW PNG POL PRI PRK PRT PRY PSE PYF QAT REU RKS ROU RUS RWA SAU SDN SEN SGP SGS SHN SJM
SLB SLE SLV SMR SOM SPM SRB SSD STP SUR SVK SVN SWE SWZ SXM SYC SYR TCA TCD TGO THA TJK TKL TKM TLS TON TTO TUN TUR
TUV TWN TZA UGA UKR UMI URY USA UZB VAT VCT VEN VGB VIR VNM VUT WLF WSM YEM ZAF ZMB ZWE`.split(/\s+/);

// openidv reads the Latin machine-readable zone of ICAO 9303 documents, so every document type it offers is
// strictly Latin; documents without an MRZ (most driving licences) can still be captured and face-matched.
export interface SupportedCountry {
  code: string;
  supported_documents: { type: string; is_strictly_latin: boolean }[];
}

const CATALOGUE: SupportedCountry[] = COUNTRIES.map((code) => ({
  code,
  supported_documents: DOCUMENT_TYPES.filter((t) => t !== 'STATE_ID' || code === 'USA').map((type) => ({
    type,
    is_strictly_latin: true,
  })),
}));

export function supportedDocuments(includeNonLatin: boolean): SupportedCountry[] {
  return includeNonLatin
    ? CATALOGUE
    : CATALOGUE.map((c) => ({ ...c, supported_documents: c.supported_documents.filter((d) => d.is_strictly_latin) }));
}

export function isKnownCountry(code: string): boolean {
  return COUNTRIES.includes(code);
}

/** The countries and document types a document filter (spec 3.3) leaves the end user to choose from. */
export function countriesFor(
  filter: DocumentFilter | undefined,
): { code: string; supported_documents: { type: string }[] }[] {
  const allowed = (country: string, type: string): boolean => {
    if (!filter) return true;
    if (filter.type === 'ORTHOGONAL_RESTRICTIONS') {
      const c = filter.country_restriction;
      const t = filter.type_restriction;
      const inList = (inclusion: string, list: string[], v: string) => (inclusion === 'WHITELIST') === list.includes(v);
      return (
        (!c || inList(c.inclusion, c.country_codes, country)) && (!t || inList(t.inclusion, t.document_types, type))
      );
    }
    const matches = (filter.documents ?? []).some(
      (d) =>
        (!d.country_codes?.length || d.country_codes.includes(country)) &&
        (!d.document_types?.length || d.document_types.includes(type)),
    );
    return filter.inclusion === 'BLACKLIST' ? !matches : matches;
  };
  return CATALOGUE.map((c) => ({
    code: c.code,
    supported_documents: c.supported_documents.filter((d) => allowed(c.code, d.type)).map((d) => ({ type: d.type })),
  })).filter((c) => c.supported_documents.length > 0);
}
