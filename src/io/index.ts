/**
 * `io`: weight files. safetensors from and to bytes (works in browsers); `paoding/node` adds
 * `save` and `load` of files.
 *
 * @packageDocumentation
 */
export {
  parseSafetensors,
  parseSafetensorsHeader,
  serializeSafetensors,
  stateDictToSafetensors,
  loadSafetensorsInto,
  SafetensorsError,
} from './safetensors.js';
export type { SafetensorsEntry, SafetensorsHeader, ParseSafetensorsOptions, NamedTensors, LoadOptions, LoadResult } from './safetensors.js';
