// A stand-in for the Python extension (ms-python.python), which these machines
// cannot download: it answers the part of its environments API that Process
// View calls (through @vscode/python-extension), and nothing else.
//
// The interpreter it has "selected" is the path written in the file named by
// $PYTHON_STAND_IN_SELECTION, read again at every question, so a test selects
// another by writing the file; no file, or an empty one, is "nothing selected".
// Each change of the file fires onDidChangeActiveEnvironmentPath, as the real
// extension does when a person picks another interpreter.

const fs = require('node:fs');
const vscode = require('vscode');

const NOTHING = { id: 'nothing-selected', path: 'python' };

function selection() {
  const file = process.env.PYTHON_STAND_IN_SELECTION;
  if (!file) return '';
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

function activeEnvironmentPath() {
  const chosen = selection();
  return chosen === '' ? NOTHING : { id: chosen, path: chosen };
}

exports.activate = function activate(context) {
  const changed = new vscode.EventEmitter();
  context.subscriptions.push(changed);
  const file = process.env.PYTHON_STAND_IN_SELECTION;
  if (file) {
    const onChange = () => {
      changed.fire({ ...activeEnvironmentPath(), resource: undefined });
    };
    fs.watchFile(file, { interval: 200 }, onChange);
    context.subscriptions.push({ dispose: () => fs.unwatchFile(file, onChange) });
  }
  return {
    environments: {
      getActiveEnvironmentPath: () => activeEnvironmentPath(),
      resolveEnvironment: (environment) => {
        const chosen = typeof environment === 'string' ? environment : environment.path;
        if (chosen === NOTHING.path || chosen === '') return Promise.resolve(undefined);
        return Promise.resolve({ id: chosen, path: chosen, executable: { uri: vscode.Uri.file(chosen), bitness: 'Unknown', sysPrefix: '' } });
      },
      onDidChangeActiveEnvironmentPath: changed.event,
    },
  };
};

exports.deactivate = function deactivate() {};
