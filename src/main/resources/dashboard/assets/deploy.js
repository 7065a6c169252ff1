// Deploying a zip: chosen with the file input or dropped on the panel, sent as PUT /deploy/:name (a new function's
// version 1, or a new version of an existing one). The name comes from the zip's name and can be edited.

import {ApiError, api, seg} from './api.js';
import {bytes, fill, h} from './dom.js';

/** @param fixedName the function whose new version this deploys, or null for any name */
export function deployPanel(app, fixedName = null) {
  let file = null;
  let nameEdited = false;
  const fileInput = h('input', {id: 'deploy-file', type: 'file', accept: '.zip,application/zip'});
  const fileLabel = h('span', {class: 'file-name muted'});
  const nameInput = h('input', {
    id: 'deploy-name', type: 'text', placeholder: 'function name', value: fixedName ?? '', readOnly: fixedName !== null,
    pattern: '[A-Za-z0-9][A-Za-z0-9_\\-]{0,63}', title: '1–64 letters, digits, - and _', spellcheck: false,
    oninput: () => { nameEdited = true; },
  });
  const submit = h('button', {id: 'deploy-submit', type: 'submit', class: 'primary', disabled: true}, 'Deploy');
  const result = h('p', {id: 'deploy-result', class: 'result', role: 'status'});

  const choose = chosen => {
    file = chosen;
    fileLabel.textContent = file ? `${file.name}, ${bytes(file.size)}` : '';
    if (file && fixedName === null && !nameEdited) nameInput.value = file.name.replace(/\.zip$/i, '');
    submit.disabled = !file;
    fill(result);
  };
  fileInput.addEventListener('change', () => choose(fileInput.files[0] ?? null));

  const form = h('form', {class: 'deploy', id: 'deploy-form'},
    h('div', {class: 'drop', id: 'deploy-drop'},
      h('strong', {}, fixedName ? 'Drop a zip here for a new version' : 'Drop a function zip here'),
      h('span', {class: 'muted'}, 'or choose one:'),
      fileInput, fileLabel),
    h('div', {class: 'row'},
      h('label', {}, 'Name ', nameInput),
      submit),
    result);

  const drop = form.querySelector('.drop');
  for (const type of ['dragenter', 'dragover']) {
    drop.addEventListener(type, event => {
      event.preventDefault();
      drop.classList.add('over');
    });
  }
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', event => {
    event.preventDefault();
    drop.classList.remove('over');
    choose(event.dataTransfer.files[0] ?? null);
  });

  form.addEventListener('submit', async event => {
    event.preventDefault();
    const name = nameInput.value.trim();
    if (!file || !name) {
      fill(result, h('span', {class: 'error'}, file ? 'Give the function a name.' : 'Choose a zip first.'));
      return;
    }
    const body = new FormData();
    body.append('file', file, file.name);
    submit.disabled = true;
    fill(result, h('span', {class: 'muted'}, `Uploading ${file.name}…`));
    try {
      const deployed = await api('PUT', `/deploy/${seg(name)}`, {body});
      fill(result, h('span', {class: 'ok'}, `Deployed ${deployed.function}, version ${deployed.version}. `),
        fixedName ? null : h('a', {href: `#/fn/${seg(deployed.function)}`}, `Open ${deployed.function}`));
      app.refresh();
    } catch (e) {
      fill(result, h('span', {class: 'error'}, e instanceof ApiError ? `Deploy refused (${e.status}): ${e.message}`
        : `Deploy failed: ${e.message}`));
    } finally {
      submit.disabled = !file;
    }
  });
  return form;
}
