/*! kefu loader · MIT */
// One tag puts a chat launcher on the page; the widget (wasm) and the knowledge base are
// fetched only when the shopper shows intent (hover, focus, click) or the page is idle.
(function (w, d) {
  // Content-hashed file names, written by scripts/build-widget.sh.
  var FILES = {"js": "kefu-widget.js", "wasm": "kefu-widget.wasm", "css": "kefu.css"};
  var me = d.currentScript || d.querySelector('script[src$="/kefu.js"]');
  if (!me) return;
  // A second tag of the loader on the page: the first one runs the chat.
  if (w.kefu?.loaded) return console.warn('kefu: kefu.js twice; ignored');

  // Settings: data-* attributes, overridden by window.kefuSettings.
  var S = w.kefuSettings || {}, data = me.dataset;
  function opt(k) { return S[k] ?? data[k]; }
  // A URL setting, relative to the page; '' when unset, or (with a warning naming it) when it
  // is no http(s) URL ("https://shop.example:port/…", "http://[bad", "htps://…"): a typo in it
  // must not stop the launcher. Without a kb the widget says the answers could not load;
  // without a hand-off URL, that messages cannot be sent from this page (not "saved").
  function url(k, a, v) {
    if (v = opt(k)) try { if (/^https?:/.test(v = new URL(v, d.baseURI).href)) return v; } catch {}
    v && console.warn('kefu: bad data-' + a, v);
    return '';
  }
  var base = new URL('.', me.src).href;
  var kbUrl = opt('kb') ? url('kb', 'kb') : base + 'kb.kefu';
  var handoffUrl = url('handoffUrl', 'handoff-url');
  var ident = {name: opt('name'), orderNumber: opt('orderNumber')};
  function norm(t) {
    t = String(t || '');
    return /^zh/i.test(t) ? (/tw|hk|mo|hant/i.test(t) ? 'zh-TW' : 'zh-CN') : 'en';
  }
  var locale = norm(opt('locale') || d.documentElement.lang || navigator.language);

  // Launcher label; the fallback form's words (used only when the widget cannot load). In
  // traditional script only the label and the form's first line: its field labels and
  // notices are the simplified ones, which leaves room in the loader's 4 KB for masking and
  // for telling apart a message kept to send later from one this page cannot send (9).
  var T = {
    'zh-CN': ['在线客服', '客服暂时无法加载，请留言。', '您的问题（可附订单号）', '手机号或邮箱（选填）', '发送留言', '已发送，客服会尽快回复。', '网络不通，已保存，联网后自动发送。', '关闭', '没能发送，请精简后重试。', '本页无法发送留言，请复制后另行联系。'],
    'zh-TW': ['線上客服', '客服暫時無法載入，請留言。'],
    'en': ['Chat with us', 'Chat unavailable: leave us a message.', 'Your question (order number, if any)', 'Phone or email (optional)', 'Send message', 'Sent. An agent will reply soon.', 'Offline: saved, sent when back online.', 'Close', 'Not sent: please shorten it.', "This page can't send messages: please copy your text."]
  };
  function tr(i) { return T[locale][i] ?? T['zh-CN'][i]; }

  // Launcher and fallback styles: a constructed stylesheet (no inline <style>, CSP-safe).
  // The page's own rules beat :host ones for the host element unless those are !important:
  // a reset such as `* { all: unset }` or `* { position: relative }` would put the launcher
  // in the page's flow. So where it sits is !important; its display stays the page's to set.
  var CSS = ':host{all:initial;position:fixed!important;z-index:2147483000!important;bottom:max(20px,env(safe-area-inset-bottom))!important;right:max(20px,env(safe-area-inset-right))!important;transform:none!important;filter:none!important;font:15px/1.5 system-ui,sans-serif;color-scheme:light dark}' +
    ':host([data-position=left]){right:auto!important;left:max(20px,env(safe-area-inset-left))!important}' +
    '.kefu-launcher{position:relative;display:grid;place-items:center;width:56px;height:56px;border:0;border-radius:50%;padding:0;cursor:pointer;color:#fff;background:var(--kefu-color,#2563eb);box-shadow:0 4px 14px #0004}' +
    '.kefu-launcher:focus-visible{outline:3px solid #111;outline-offset:3px;box-shadow:0 0 0 6px #fff}' +
    '.kefu-launcher svg{width:28px;fill:none;stroke:currentColor;stroke-width:2}' +
    '.kefu-loading svg{opacity:.5}' +
    '[hidden]{display:none!important}';

  // failed: the last try to load the widget failed (a later click or going online tries
  // again); crashed: the widget trapped after it ran (the plain form from then on).
  var root, btn, host, api, loading, failed, crashed, wantOpen, fb, fields, handlers = {}, pending = [];
  var q = w.kefu?.q || [], blocked;
  // The page's CSP refused the hand-off URL: no try from this page can succeed (docs/widget.md,
  // Failures). ('' would match every URL: `|| 0` looks for "0", never at an URL's start.)
  d.addEventListener('securitypolicyviolation', function (e) { blocked |= !handoffUrl.indexOf(e.blockedURI || 0); });

  function el(tag, parent, cls) {
    var e = d.createElement(tag);
    if (cls) e.className = cls;
    parent?.appendChild(e);
    return e;
  }
  function svg(parent, path) {
    var ns = 'http://www.w3.org/2000/svg', s = d.createElementNS(ns, 'svg'), p = d.createElementNS(ns, 'path');
    s.setAttribute('viewBox', '0 0 24 24');
    s.setAttribute('aria-hidden', 'true');
    p.setAttribute('d', path);
    parent.appendChild(s).appendChild(p);
  }
  function label() {
    if (!btn) return;
    btn.setAttribute('aria-label', tr(0));
    btn.title = tr(0);
  }
  // A listener takes a `handoff` case (sends it on itself: docs/handoff-api.md) with
  // preventDefault() on the cancelable `kefu:handoff` DOM event, which a kefu('on') callback
  // gets as its second argument. Only then, without a hand-off URL that works, is the shopper
  // told that the team has the message. Answers whether one did.
  function emit(name, payload) {
    var ev = new CustomEvent('kefu:' + name, {detail: payload, cancelable: 1});
    handlers[name]?.forEach(function (fn) {
      try { fn(payload, ev); } catch (e) { console.error(e); }
    });
    return host && !host.dispatchEvent(ev);
  }

  function draw() {
    host = el('kefu-chat');
    if (opt('position') == 'left') host.setAttribute('data-position', 'left');
    // Only a colour the widget takes too (#rgb, #rrggbb): another is ignored by both, and the
    // widget warns of it (as of a data-position other than right or left).
    if (/^#([\da-f]{3}){1,2}$/i.test(opt('color'))) host.style.setProperty('--kefu-color', opt('color'));
    root = host.attachShadow({mode: 'open'});
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
    btn = el('button', root, 'kefu-launcher');
    btn.setAttribute('aria-haspopup', 'dialog');
    btn.setAttribute('aria-expanded', 'false');
    label();
    svg(btn, 'M4 5h16v11H9l-5 4V5z');
    ['pointerenter', 'focus', 'touchstart'].forEach(function (ev) {
      btn.addEventListener(ev, load, {passive: true});
    });
    btn.onclick = function () {
      if (api) return call('toggle');
      if (crashed) return showFallback();
      wantOpen = {};
      btn.setAttribute('aria-busy', 'true');
      btn.classList.add('kefu-loading');
      load();
    };
    d.body.appendChild(host);
    // In the top layer where browsers have one: placed on the viewport even when the page's
    // body has a filter or a transform (a grey mourning-day page: `body { filter: grayscale(1) }`
    // would otherwise hold the fixed launcher and panel, and put the panel off screen).
    if (host.showPopover) {
      host.popover = 'manual';
      try { host.showPopover(); } catch {}
    }
  }

  // Loads the widget JS, the wasm, the CSS and the bundle in parallel, then mounts.
  function load() {
    if (loading || crashed) return loading;
    var wasm = fetch(base + FILES.wasm);
    // Consumed once the glue module has loaded; until then a failure is not "unhandled".
    wasm.catch(function () {});
    // No usable data-kb: '//[' is no URL, so the fetch fails at once (nothing is requested)
    // and the widget says the answers could not load.
    var kb = fetch(kbUrl || '//[').then(function (r) {
      if (!r.ok) throw {kind: 'http', message: 'HTTP ' + r.status + ' for ' + kbUrl};
      return r.arrayBuffer();
    });
    kb.catch(function () {});
    var css = new Promise(function (ok, fail) {
      var l = el('link', root);
      l.rel = 'stylesheet';
      l.href = base + FILES.css;
      l.onload = ok;
      l.onerror = function () { fail(Error('CSS failed')); };
    });
    loading = Promise.all([import(base + FILES.js), css]).then(function ([m]) {
      return m.default({module_or_path: wasm}).then(function () {
        // The widget reads the merchant's other settings (color, photos, contact …) with opt.
        m.mount(root, {locale: locale, handoffUrl: handoffUrl, name: ident.name, orderNumber: ident.orderNumber, opt: opt}, emit);
        api = m;
        kb.then(function (buf) {
          // A panic while opening a damaged bundle is a trap (wasm cannot unwind); it happens
          // before the widget's state is touched, so the widget lives on and offers a person.
          try { m.bundle(new Uint8Array(buf)); } catch (e) {
            if (!(e instanceof WebAssembly.RuntimeError)) throw e;
            m.bundle_failed('corrupt', String(e?.message || e));
          }
        },
          function (e) { m.bundle_failed(e.kind || 'network', String(e?.message || e)); });
        pending.splice(0).forEach(run);
        if (wantOpen) {
          if (fb) fb.hidden = true;
          m.command('open', wantOpen);
        }
      });
    }).catch(function (e) {
      failed = 1;
      loading = null;
      console.warn('kefu: load failed', e);
      btn.removeAttribute('aria-busy');
      btn.classList.remove('kefu-loading');
      emit('error', {kind: 'widget', message: String(e?.message || e)});
      if (wantOpen) {
        wantOpen = null;
        showFallback(pending.reduce(function (t, p) { return p[0] == 'ask' ? p[1] : t; }, ''));
      }
    });
    return loading;
  }

  // A trap later on (a panic in the wasm, e.g. answering from a damaged bundle) leaves the
  // widget's state locked: drop the widget and offer the plain form, so a person is reachable.
  function trapped(e) {
    if (!api || !(e instanceof WebAssembly.RuntimeError)) return 0;
    api = null;
    failed = crashed = 1;
    console.warn('kefu: widget stopped', e);
    root.querySelector('.kefu-panel')?.remove();
    emit('error', {kind: 'crash', message: String(e?.message || e)});
    showFallback();
    return 1;
  }
  function call(c, x) {
    try { return api.command(c, x); } catch (e) { if (!trapped(e)) throw e; }
  }
  // Traps in the widget's own DOM listeners and tasks reach the window, not a caller.
  w.addEventListener('error', function (ev) { trapped(ev.error); });
  w.addEventListener('unhandledrejection', function (ev) { if (trapped(ev.reason)) ev.preventDefault(); });

  // When the widget cannot load: a plain form to leave a message for a human (`t`: what the
  // page asked with kefu('ask', …), carried into it rather than lost).
  function showFallback(t) {
    if (!fb) {
      fb = el('section', root, 'kefu-fb');
      fb.setAttribute('role', 'dialog');
      fb.setAttribute('aria-label', tr(0));
      el('p', fb).textContent = tr(1);
      var x = el('button', fb, 'kefu-x');
      x.setAttribute('aria-label', tr(7));
      x.textContent = '×';
      var form = el('form', fb);
      fields = [];
      [2, 3].forEach(function (i) {
        var l = el('label', form), f = el(i == 2 ? 'textarea' : 'input', form);
        l.textContent = tr(i);
        l.htmlFor = f.id = 'kefu-fb-' + i;
        fields.push(f);
      });
      fields[0].required = true;
      el('button', form).textContent = tr(4);
      var status = el('p', form);
      status.setAttribute('role', 'status');
      x.onclick = hideFallback;
      fb.onkeydown = function (e) { if (e.key == 'Escape') hideFallback(); };
      // The text leaves the field only once it is safe: sent, or kept on the device to send
      // later. A refusal (4xx: too long, nothing but spaces) keeps it there and says so.
      form.onsubmit = function (e) {
        e.preventDefault();
        // kefu-server's POST /api/cases shape (see docs/widget.md).
        var c = {id: uuid(), locale: locale, transcript: [], order_number: ident.orderNumber || null,
          contact: sendable(fields[1].value).trim() || null, description: sendable(fields[0].value).trim(), triage: 'product', tags: ['handoff:unavailable']};
        var body = JSON.stringify(c);
        // Says notice i; the text leaves the field with "sent" (5) and "saved" (6) only.
        function say(i) { status.textContent = tr(i); if (i < 7) fields[0].value = ''; }
        // No URL, or one the page's CSP blocks: taken by a listener of the page (5), or else
        // not sent, and it cannot go from this page (9): the text stays in the field, to copy.
        var took = emit('handoff', c);
        if (!handoffUrl) return took || console.warn('kefu: no data-handoff-url'), say(took ? 5 : 9);
        fetch(handoffUrl, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: body})
          .then(function (r) {
            // 5xx, 408, 429 (fetch gives 200–599): kept to send later.
            if (/^(5|408|429)/.test(r.status)) throw r;
            say(r.ok ? 5 : 8);
          })
          .catch(function () {
            // Offline or the server down (kept to send later), or blocked for good: the CSP
            // violation is reported after fetch fails, so decide a task later.
            setTimeout(function () {
              if (blocked) return say(took ? 5 : 9);
              try { localStorage.setItem('kefu.outbox.' + c.id, body); } catch {}
              say(6);
            });
          });
      };
    }
    if (t && !fields[0].value) fields[0].value = t;
    fb.hidden = false;
    btn.setAttribute('aria-expanded', 'true');
    fields[0].focus();
  }
  // Text as kefu-server takes it: no control characters but \n \t \r (an <input> holds no
  // line breaks; a Word line break, VT, is dropped here, the widget makes it one). ID-card
  // and bank-card numbers keep only their last four digits, as the widget and the server
  // keep them, so that neither the page's handoff event nor the device's copy holds them
  // whole: 18 characters with a birth year at the 7th (an ID), or 13–19 Luhn-valid digits
  // (a card), spaces or dashes allowed between the digits. A shorter rule than the widget's
  // (kefu_core::reply::mask): the server masks again with that one.
  function sendable(s) {
    return s.replace(/[^\P{Cc}\n\t\r]/gu, '').replace(/\d([ -]?\d){12,18}([ -]?[xX])?/g, function (m) {
      var d = m.replace(/[ -]/g, ''), n = d.length, k = 0, i = n, v;
      while (i--) k += (v = d[i] * (1 + (n - 1 - i) % 2)) > 9 ? v - 9 : v;
      return n == 18 && /^\d{6}(19|20)/.test(d) || k % 10 == 0 ? m.replace(/\w(?=(\W*\w){4})/g, '*') : m;
    });
  }
  // A v4 UUID; outside a secure context (no randomUUID) a blob URL ends with one.
  function uuid() {
    return crypto.randomUUID?.() || URL.createObjectURL(new Blob()).slice(-36);
  }
  function hideFallback() {
    fb.hidden = true;
    btn.setAttribute('aria-expanded', 'false');
    btn.focus();
  }

  // The page's API: kefu('open'), kefu('ask', text), kefu('on', 'handoff', fn), …
  function run(a) {
    var c = a[0], x = a[1];
    if (c == 'on') return (handlers[x] = handlers[x] || []).push(a[2]);
    if (c == 'off') return (handlers[x] = (handlers[x] || []).filter(function (f) { return f != a[2]; }));
    if (c == 'locale') { locale = norm(x); label(); x = locale; }
    if (c == 'identify' && x) { ident.name = x.name || ident.name; ident.orderNumber = x.orderNumber || ident.orderNumber; }
    if (api) return call(c, x);
    if (crashed) return /^(open|ask|handoff)$/.test(c) && showFallback(c == 'ask' && x);
    pending.push([c, x]);
    // After a failed load these try again, and show the plain form if it fails once more.
    if (/^(open|ask|handoff|toggle)$/.test(c)) { if (failed) wantOpen = wantOpen || {}; load(); }
  }
  w.kefu = function (...a) { run(a); };
  w.kefu.loaded = true;
  w.kefu.stats = function () { return api ? api.stats() : null; };

  function start() {
    draw();
    q.forEach(function (a) { run([...a]); });
    try { if (sessionStorage.getItem('kefu.v1.open') == 1) return wantOpen = {focus: false}, load(); } catch {}
    if (opt('preload') == 'intent') return;
    var delay = opt('idleDelay') ?? 3000;
    var idle = function () {
      setTimeout(function () {
        (w.requestIdleCallback || setTimeout)(load, {timeout: 5000});
      }, delay);
    };
    if (d.readyState == 'complete') idle(); else w.addEventListener('load', idle);
  }
  if (d.body) start(); else d.addEventListener('DOMContentLoaded', start);
})(window, document);
