// Schedules of every function (GET /schedules): when each fires next, how its last run went.

import {get, seg} from './api.js';
import {badge, changes, fill, h, table, when} from './dom.js';

export function render(root) {
  const list = h('div', {id: 'schedule-list'});
  root.append(h('section', {class: 'card'},
    h('h2', {}, 'Schedules'),
    h('p', {class: 'muted'}, 'From the "schedules" of each function\'s glambdar.json. Each firing is an asynchronous invocation.'),
    list));
  const drawn = changes();
  const refresh = async () => {
    try {
      const answer = await get('/schedules');
      if (!drawn.changed(answer)) return;
      if (answer.schedules.length === 0) {
        fill(list, h('p', {class: 'empty'}, 'No schedules.'));
        return;
      }
      const rows = answer.schedules.map(s =>
        h('tr', {dataset: {function: s.function, index: s.index}},
          h('td', {}, h('a', {href: `#/fn/${seg(s.function)}`}, s.function)),
          h('td', {class: 'num'}, s.index),
          h('td', {}, h('code', {}, s.cron)),
          h('td', {}, s.timezone),
          h('td', {}, when(s.nextRunAt), s.nextRunAt ? h('span', {class: 'muted'}, ` (${new Date(s.nextRunAt).toLocaleString()})`) : null),
          h('td', {}, when(s.lastRunAt)),
          h('td', {}, badge(s.lastStatus)),
          h('td', {}, s.lastInvocationId
            ? h('a', {href: `#/async?function=${seg(s.function)}`}, h('code', {}, s.lastInvocationId)) : '—'),
          h('td', {class: 'num'}, s.skipped)));
      fill(list, table(['Function', '#', 'Cron', 'Time zone', 'Next run', 'Last run', 'Last status', 'Last invocation',
        'Skipped'], rows, {class: 'list', id: 'schedules'}));
    } catch (e) {
      drawn.forget();
      fill(list, h('p', {class: 'error'}, e.message));
    }
  };
  refresh();
  return {update: refresh};
}
