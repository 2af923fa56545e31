/** Where data sets live: $RML_DATA_DIR if set, else <project>/data (the folder above src/). */
import * as path from 'path';

export function dataRoot(): string {
  return process.env.RML_DATA_DIR ? path.resolve(process.env.RML_DATA_DIR) : path.join(path.resolve(__dirname, '..', '..'), 'data');
}
