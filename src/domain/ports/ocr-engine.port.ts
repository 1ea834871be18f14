// Line-oriented OCR restricted to a character set; the MRZ reader decides what to ask for.
export interface OcrRequest {
  /** PNG or other sharp-readable greyscale image of the text band. */
  image: Buffer;
  /** Tesseract page segmentation mode: 6 = block, 7 = single line, 11 = sparse text. */
  psm: 6 | 7 | 11 | 13;
  whitelist?: string;
  /**
   * Character counts a single line may have (MRZ: 30, 36 or 44). Engines that cut a line into fixed-pitch
   * cells need it; others ignore it.
   */
  lineLengths?: readonly number[];
}

export interface OcrEngine {
  readonly name: string;
  /**
   * Letters this engine is known to print for the OCR-B filler '<' (MRZ consensus counts them as '<'
   * where the agreed character is '<'). Undefined for engines that read the filler reliably.
   */
  readonly mrzFillerGhosts?: string;
  /**
   * Engines running the same recognition model (tesseract's LSTM English model in the CLI and in
   * tesseract.js) make the same mistakes: the MRZ consensus counts their agreement once. Defaults to the name.
   */
  readonly modelFamily?: string;
  recognize(request: OcrRequest): Promise<string>;
  /**
   * Several images read with the same settings, one string per image in order. Optional: the tesseract
   * command reads them all in one process, loading its model once instead of once per MRZ line.
   */
  recognizeAll?(images: readonly Buffer[], request: Omit<OcrRequest, 'image'>): Promise<string[]>;
  close(): Promise<void>;
}
