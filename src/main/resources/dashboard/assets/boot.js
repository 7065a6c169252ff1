// Loads the dashboard: app.js and every module it imports. One module that fails to download fails them all, and the
// browser keeps that failure until the page is loaded again. It happens on a machine that runs Docker too: Chromium
// drops requests in flight (ERR_NETWORK_CHANGED) whenever a container's network interface comes or goes. So the page
// is loaded again, twice at most, before it says what failed.
const ATTEMPTS = 'glambdar.loadAttempts';

import('./app.js').then(() => sessionStorage.removeItem(ATTEMPTS), error => {
  const attempts = Number(sessionStorage.getItem(ATTEMPTS) || 0);
  if (attempts < 2) {
    sessionStorage.setItem(ATTEMPTS, String(attempts + 1));
    location.reload();
    return;
  }
  sessionStorage.removeItem(ATTEMPTS);
  const message = document.createElement('p');
  message.className = 'error';
  message.textContent = `The dashboard could not be loaded (${error.message}); reload the page to try again.`;
  (document.querySelector('main') || document.body).prepend(message);
});
