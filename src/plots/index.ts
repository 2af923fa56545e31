/** Figure spec builders and rendering: `import { imageGrid, heatmap, heatmapPanels, lines, histogram, bars, panels } from 'rml/plots'`. */
export * from './render';
export type { CommonOptions, Datum, ExploreOption, PaperSize } from './common';
export { PAPER_WIDTH, wrapText, paperConfig } from './common';
export { encodePNG, pngDataURL, PNG_SIGNATURE } from './png';
export * from './grid';
export * from './charts';
