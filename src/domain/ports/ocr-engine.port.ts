// Line-oriented OCR restricted to a character set; the MRZ reader decides what to ask for.
export interface OcrRequest {
  /** PNG or other sharp-readable greyscale image of the text band. */
  image: Buffer;
  /** Tesseract page segmentation mode: 6 = block, 7 = single line, 11 = sparse text. */
  psm: 6 | 7 | 11 | 13;
  whitelist?: string;
}

export interface OcrEngine {
  readonly name: string;
  recognize(request: OcrRequest): Promise<string>;
  close(): Promise<void>;
}
