/** Figure spec builders and rendering: `import { imageGrid, heatmap, lines, histogram, bars, panels } from 'rml/plots'`. */
export * from './render';
export type { CommonOptions, Datum } from './common';
export { encodePNG, pngDataURL, PNG_SIGNATURE } from './png';
export * from './grid';
export * from './charts';
