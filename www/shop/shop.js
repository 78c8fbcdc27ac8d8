// The demo shop's own script (external: the page's CSP allows no inline script).
// It shows the kefu queue API: the stub queues calls until the widget has loaded.
window.kefu = window.kefu || function () { (kefu.q = kefu.q || []).push(arguments); };

document.addEventListener('click', function (e) {
  var b = e.target.closest('[data-kefu-ask], [data-kefu-open]');
  if (!b) return;
  e.preventDefault();
  if (b.dataset.kefuAsk) kefu('ask', b.dataset.kefuAsk);
  else kefu('open');
});

// Hand-off cases also reach the page, e.g. for the shop's analytics.
kefu('on', 'handoff', function (c) {
  console.info('kefu hand-off case', c.id, c.orderNumber || '(no order number)');
});
