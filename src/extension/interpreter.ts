// The interpreter for a file: asks the Python extension when it is there.

import { PythonExtension } from '@vscode/python-extension';
import * as vscode from 'vscode';
import { chooseInterpreter, type InterpreterChoice } from '../host/interpreter';

export async function interpreterFor(resource: vscode.Uri, folder: string, log: vscode.LogOutputChannel): Promise<InterpreterChoice> {
  return chooseInterpreter({
    selected: await selectedByPythonExtension(resource, log),
    setting: vscode.workspace.getConfiguration('procview', resource).get<string>('pythonPath', ''),
    searchPath: process.env.PATH ?? '',
    folder,
  });
}

async function selectedByPythonExtension(resource: vscode.Uri, log: vscode.LogOutputChannel): Promise<string | null> {
  if (!vscode.extensions.getExtension('ms-python.python')) return null;
  try {
    const api = await PythonExtension.api();
    const environment = await api.environments.resolveEnvironment(api.environments.getActiveEnvironmentPath(resource));
    return environment?.executable.uri?.fsPath ?? null;
  } catch (error) {
    log.warn(`the Python extension did not say which interpreter to use: ${(error as Error).message}`);
    return null;
  }
}

/** Logs the Python extension's changes of interpreter (each run asks again, so runs follow them). */
export async function followInterpreterChanges(log: vscode.LogOutputChannel): Promise<vscode.Disposable | null> {
  if (!vscode.extensions.getExtension('ms-python.python')) return null;
  try {
    const api = await PythonExtension.api();
    return api.environments.onDidChangeActiveEnvironmentPath((event) => {
      log.info(`the Python extension now uses ${event.path}`);
    });
  } catch {
    return null;
  }
}
