// A trace file read straight into its run model: what `procview diagnose`,
// `view` and `export` and a trace opened in the editor need. No event is kept,
// and most are never made: the model takes them by place (RunModel.addRaw).

import type { TraceHeader } from '../events';
import { readFileInto, TraceReader } from '../ingest/reader';
import { RunModel, TEXT_PLACES } from './run-model';

export interface TraceModel {
  header: TraceHeader;
  model: RunModel;
  /** Lines that could not be read (a trace cut short), and events of kinds this version does not know: both skipped. */
  skippedLines: number;
  unknownEvents: number;
}

/** Errors: as readTraceFile's (TraceFileError subclasses, or the file system's). */
export async function readTraceModel(path: string): Promise<TraceModel> {
  const model = new RunModel();
  const reader = new TraceReader(
    (event) => {
      model.add(event);
    },
    (raw) => model.addRaw(raw),
    TEXT_PLACES,
  );
  const header = await readFileInto(path, reader);
  return { header, model, skippedLines: reader.skippedLines, unknownEvents: reader.unknownEvents };
}
