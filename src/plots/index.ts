/** Figure spec builders and rendering: `import { imageGrid, heatmap, lines, histogram, bars } from 'rml/plots'`. */
export * from './render';
export * from './common';
export * from './png';
export * from './grid';
export * from './charts';
