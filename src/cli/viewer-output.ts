// The viewer's outputs from the command line: the standalone HTML report
// (`export --html`, `run --html`) and the assets every viewer page is made of.

import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Diagnosis } from '../core/diagnosis/findings';
import type { TraceHeader } from '../core/events';
import type { RunModel } from '../core/model/run-model';
import type { ViewerMessage } from '../core/view/view-data';
import { UsageError } from './errors';
import { reportPage } from '../host/exports';
import { repoRoot } from './package-info';
import { printable } from './text';

export interface ViewerAssets {
  script: string;
  css: string;
}

/** The bundled viewer and its stylesheet, as the build left them. */
export function viewerAssets(): ViewerAssets {
  try {
    return {
      script: readFileSync(path.join(repoRoot, 'dist', 'webview.js'), 'utf8'),
      css: readFileSync(path.join(repoRoot, 'media', 'viewer.css'), 'utf8'),
    };
  } catch (error) {
    throw new UsageError(`the viewer is not built (${(error as Error).message}); run: npm run build`);
  }
}

export function newNonce(): string {
  return randomBytes(18).toString('base64url');
}

/**
 * Makes the file's folder and creates the file now, so a path that cannot be
 * written fails before anything else happens. `what` names it in the error.
 */
export function prepareOutputFile(file: string, what: string): void {
  try {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    closeSync(openSync(file, 'w'));
  } catch (error) {
    throw new UsageError(`cannot write the ${what} ${file}: ${(error as Error).message}`);
  }
}

/** Writes the standalone report; every way that fails is one line for the user. */
export async function writeReport(file: string, model: RunModel, diagnosis: Diagnosis, header: TraceHeader | undefined): Promise<void> {
  const page = reportPage({ model, diagnosis, header }, viewerAssets(), newNonce());
  try {
    await writeFile(file, page);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === undefined) throw error;
    throw new UsageError(`cannot write the HTML report ${file}: ${(error as Error).message}`);
  }
}

/** `--port N`: 0 (any free port) to 65535. */
export function parsePort(value: string | undefined): number {
  if (value === undefined || !/^\d+$/.test(value) || Number(value) > 65535) throw new UsageError(`--port needs a port number (0-65535), not ${value ?? 'nothing'}`);
  return Number(value);
}

/** In a terminal there is no editor to open a location in: say where it is. */
export function openRequestPrinter(message: ViewerMessage): void {
  if (message.type === 'open') process.stderr.write(`procview: ${printable(`${message.file}:${message.line}`)}\n`);
}
