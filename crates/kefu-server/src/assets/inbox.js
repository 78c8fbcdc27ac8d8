// kefu agent inbox. All shopper-provided text is put on the page with textContent only.
"use strict";

const state = { me: null, csrf: "", selected: null, openedSig: null, filter: "open", offset: 0, users: [], timer: null };
// Cases per page of the queue: every case stays reachable by paging, however many there are.
const PAGE = 100;
const $ = (id) => document.getElementById(id);

const STRINGS = {
  en: {
    title: "kefu inbox", logout: "Log out", login_title: "Agent login", user: "User", password: "Password",
    login: "Log in", f_open: "Open", f_escalated: "Escalated (deadline missed)",
    f_supervisor: "Supervisor review (open > 24 h)", f_closed: "Closed", f_all: "All", select: "Select a case.",
    reply_ph: "Reply to the shopper", send: "Send reply", reassign: "Reassign", close_ok: "Close (resolved)",
    close_no: "Close (unresolved)", cases: "case(s)", not_shown: "not shown", prev: "‹ Previous", next: "Next ›", photos: "photo(s)", due_in: "due in ", late_by: "late by ",
    closed: "closed", answered: "answered", escalated: "escalated", supervisor: "supervisor review",
    no_desc: "(no description)", before: "before hand-off", unassigned: "(unassigned)", order: "Order",
    contact: "Contact", email: "E-mail", locale: "Locale", received: "Received", deadline: "Deadline", first_reply: "First reply",
    promised: "Promised", assigned: "Assigned", status: "Status", rating: "Rating", photos_missing: "announced photo(s) not received yet",
    photos_label: "Photos", case_id: "Case id", unresolved: " (unresolved)", open: "open",
    t_urgent: "urgent", t_complaint: "complaint", t_order: "order", t_product: "product",
    e_calm: "calm", e_anxious: "anxious", e_angry: "angry",
    r_shopper: "shopper", r_bot: "bot", r_agent: "agent", r_system: "system",
    role_agent: "agent", role_supervisor: "supervisor", s: " s", min: " min", h: " h",
  },
  zh: {
    title: "客服工作台", logout: "退出", login_title: "客服登录", user: "用户名", password: "密码",
    login: "登录", f_open: "待处理", f_escalated: "已超时（未按时首次回复）",
    f_supervisor: "主管复核（超过 24 小时）", f_closed: "已关闭", f_all: "全部", select: "请选择一个工单。",
    reply_ph: "回复顾客", send: "发送回复", reassign: "转派", close_ok: "关闭（已解决）",
    close_no: "关闭（未解决）", cases: "个工单", not_shown: "个未显示", prev: "‹ 上一页", next: "下一页 ›", photos: "张照片", due_in: "剩余 ", late_by: "已超时 ",
    closed: "已关闭", answered: "已回复", escalated: "已超时", supervisor: "主管复核",
    no_desc: "（无描述）", before: "转人工前", unassigned: "（未分配）", order: "订单号",
    contact: "联系方式", email: "邮箱", locale: "语言", received: "接入时间", deadline: "首次回复时限", first_reply: "首次回复",
    promised: "已承诺", assigned: "负责人", status: "状态", rating: "满意度", photos_missing: "张照片尚未上传完成",
    photos_label: "照片", case_id: "工单号", unresolved: "（未解决）", open: "处理中",
    t_urgent: "紧急", t_complaint: "投诉", t_order: "订单", t_product: "商品咨询",
    e_calm: "平静", e_anxious: "焦急", e_angry: "生气",
    r_shopper: "顾客", r_bot: "机器人", r_agent: "客服", r_system: "系统",
    role_agent: "客服", role_supervisor: "主管", s: " 秒", min: " 分钟", h: " 小时",
  },
};
const L = STRINGS[(navigator.language || "en").toLowerCase().startsWith("zh") ? "zh" : "en"];
const t = (k) => (L[k] !== undefined ? L[k] : k);

function translatePage() {
  document.documentElement.lang = L === STRINGS.zh ? "zh-CN" : "en";
  document.title = t("title");
  for (const e of document.querySelectorAll("[data-i18n]")) e.textContent = t(e.dataset.i18n);
  for (const e of document.querySelectorAll("[data-i18n-placeholder]")) e.placeholder = t(e.dataset.i18nPlaceholder);
}


function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

async function api(method, path, body) {
  const opts = { method, headers: {}, credentials: "same-origin" };
  if (method !== "GET") {
    opts.headers["Content-Type"] = "application/json";
    opts.headers["X-CSRF-Token"] = state.csrf;
    opts.body = JSON.stringify(body || {});
  }
  const r = await fetch(path, opts);
  if (r.status === 401 && path !== "/inbox/api/login") {
    showLogin();
    throw new Error("login required");
  }
  const text = await r.text();
  const data = text ? JSON.parse(text) : null;
  if (!r.ok) {
    const e = new Error((data && data.error && data.error.message) || r.statusText);
    e.status = r.status;
    throw e;
  }
  return data;
}

function fmtTime(ms) {
  if (!ms) return "";
  return new Date(ms).toLocaleString();
}

function fmtDue(deadline, now) {
  const s = Math.round((deadline - now) / 1000);
  const a = Math.abs(s);
  const txt = a < 120 ? a + t("s") : a < 7200 ? Math.round(a / 60) + t("min") : (a / 3600).toFixed(1) + t("h");
  return (s >= 0 ? t("due_in") : t("late_by")) + txt;
}

// What changes when the open case needs redrawing (new message, photo, status, owner, e-mail).
function sig(lastAt, photos, status, owner, email) {
  return [lastAt || "", photos, status, owner || "", email || ""].join("|");
}

function canRedraw() {
  const box = document.querySelector(".reply-text");
  const assign = document.querySelector(".assign-to");
  const choosing = assign && (assign.value !== assign.dataset.initial || document.activeElement === assign);
  return !choosing && (!box || (box.value === "" && document.activeElement !== box));
}

function showLogin() {
  state.me = null;
  clearInterval(state.timer);
  // The next person to sign in on this tab sees nothing of the last one's work.
  state.selected = null;
  state.openedSig = null;
  $("queue").replaceChildren();
  $("detail").replaceChildren(el("p", "empty", t("select")));
  $("app").hidden = true;
  $("logout").hidden = true;
  $("who").textContent = "";
  $("login").hidden = false;
}

async function showApp(me) {
  state.me = me;
  state.csrf = me.csrf;
  $("login-error").textContent = "";
  for (const e of document.querySelectorAll("#detail .error")) e.textContent = "";
  $("login").hidden = true;
  $("app").hidden = false;
  $("logout").hidden = false;
  $("who").textContent = me.name + " (" + t("role_" + me.role) + ")";
  if (me.role === "supervisor") {
    try { state.users = (await api("GET", "/inbox/api/users")).users; } catch (e) { state.users = []; }
  }
  await loadQueue();
  clearInterval(state.timer);
  state.timer = setInterval(() => { loadQueue().catch(() => {}); }, 5000);
}

async function loadQueue() {
  const data = await api("GET", "/inbox/api/queue?status=" + encodeURIComponent(state.filter) +
    "&limit=" + PAGE + "&offset=" + state.offset);
  if (data.offset > 0 && data.cases.length === 0) {
    // The page emptied (cases closed meanwhile): back to the last one with cases.
    state.offset = Math.max(0, Math.floor((data.total - 1) / PAGE) * PAGE);
    return loadQueue();
  }
  const list = $("queue");
  list.replaceChildren();
  // Say how many cases are not on this page: a flood of new cases must not hide the others.
  const range = data.not_shown ? (data.offset + 1) + "–" + (data.offset + data.cases.length) + " / " : "";
  $("queue-count").textContent = range + data.total + " " + t("cases") +
    (data.not_shown ? " · " + data.not_shown + " " + t("not_shown") : "");
  $("prev").hidden = data.offset === 0;
  $("next").hidden = data.offset + data.cases.length >= data.total;
  const late = data.cases.filter((c) => c.escalated && c.status === "open").length;
  document.title = (late ? "(" + late + ") " : "") + t("title");
  for (const c of data.cases) {
    const li = el("li");
    if (c.escalated) li.classList.add("escalated");
    if (c.supervisor) li.classList.add("supervisor");
    if (c.id === state.selected) li.classList.add("selected");
    const top = el("div", "q-top");
    const tags = el("span");
    tags.append(el("span", "tag " + c.triage, t("t_" + c.triage)));
    if (c.emotion !== "calm") tags.append(el("span", "tag " + c.emotion, t("e_" + c.emotion)));
    if (c.escalated) tags.append(el("span", "tag escalated", t("escalated")));
    if (c.supervisor) tags.append(el("span", "tag supervisor", t("supervisor")));
    for (const t of c.tags || []) tags.append(el("span", "tag", t));
    top.append(tags);
    if (c.status === "open" && !c.first_response_at) {
      top.append(el("span", "q-due" + (c.deadline_at < data.now ? " late" : ""), fmtDue(c.deadline_at, data.now)));
    } else {
      top.append(el("span", "q-due", c.status === "closed" ? t("closed") : t("answered")));
    }
    li.append(top);
    li.append(el("div", "q-summary", plain((c.order_number ? "#" + c.order_number + " · " : "") + (c.summary || t("no_desc")))));
    const meta = el("div", "q-summary", fmtTime(c.created_at) + (c.assigned_to ? " · " + c.assigned_to : "") +
      (c.attachments ? " · " + c.attachments + " " + t("photos") : ""));
    li.append(meta);
    // A button for the keyboard and screen readers too: Tab to it, Enter or Space opens it.
    li.tabIndex = 0;
    li.setAttribute("role", "button");
    if (c.id === state.selected) li.setAttribute("aria-current", "true");
    li.addEventListener("click", () => { openCase(c.id).catch(showDetailError); });
    li.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); openCase(c.id).catch(showDetailError); }
    });
    list.append(li);
    if (c.id === state.selected && state.openedSig !== null &&
        sig(c.last_message_at, c.attachments, c.status, c.assigned_to, c.email) !== state.openedSig && canRedraw()) {
      openCase(c.id).catch(showDetailError);
    }
  }
}

function showDetailError(e) {
  const d = $("detail");
  d.replaceChildren(el("p", "error", e.message));
}

// Direction marks (LRM, RLM, ALM) and other bidi controls: the server strips them from new
// cases; an older case may still hold them, and they can reorder the digit groups of an order
// number or a phone number ("111-‏222-‏333" shown as 111-333-222).
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const plain = (v) => String(v).replace(BIDI, "");

function fact(dl, name, value) {
  if (value === null || value === undefined || value === "") return;
  dl.append(el("dt", null, name));
  dl.append(el("dd", null, plain(value)));
}

// Whether the signed-in user may write on case `c` (the server's reply rule).
function mayWrite(c) {
  return c.status === "open" && state.me && (!c.assigned_to || c.assigned_to === state.me.name || state.me.role === "supervisor");
}

// Starting to write in an open case that is unassigned or ours joins its live chat: the
// shopper's widget says "<name> joined the chat" (once; the server ignores a repeat) and the
// case becomes ours. Only looking at a case (triage, a supervisor's review) takes nothing.
async function joinIfMine(id, c) {
  if (c.status !== "open" || !state.me || (c.assigned_to && c.assigned_to !== state.me.name)) return c;
  try {
    const r = await api("POST", "/inbox/api/cases/" + encodeURIComponent(id) + "/join", {});
    if (r.joined || !c.assigned_to) return await api("GET", "/inbox/api/cases/" + encodeURIComponent(id));
  } catch (e) {
    // Joining is a courtesy and the case still opens; but a refusal means someone else has
    // taken the case meanwhile: say so now, not only when the reply is sent.
    if (e.status === 403) {
      const err = document.querySelector("#detail .reply-form .error");
      if (err) err.textContent = e.message;
    }
  }
  return c;
}

// "Agent is typing" for the shopper: at most one signal every 2.5 s while the agent types
// (the widget hides it by itself a few seconds after the last one, or when the reply comes).
const TYPING_EVERY_MS = 2500;
function typingSignal(id, box, c) {
  let last = 0, joined = false;
  box.addEventListener("input", () => {
    if (!joined) { joined = true; joinIfMine(id, c); }
    const now = Date.now();
    if (!box.value.trim() || now - last < TYPING_EVERY_MS) return;
    last = now;
    api("POST", "/inbox/api/cases/" + encodeURIComponent(id) + "/typing", {}).catch(() => {});
  });
}

async function openCase(id) {
  const detail = $("detail");
  const same = state.selected === id && detail.querySelector(".transcript");
  const readingUp = same && detail.scrollTop + detail.clientHeight < detail.scrollHeight - 40;
  const keepTop = detail.scrollTop;
  state.selected = id;
  const c = await api("GET", "/inbox/api/cases/" + encodeURIComponent(id));
  const lastAt = c.messages.reduce((m, x) => Math.max(m, x.at), 0) || null;
  state.openedSig = sig(lastAt, c.attachments.length, c.status, c.assigned_to, c.email);
  const node = $("case-template").content.firstElementChild.cloneNode(true);
  translateNode(node);
  node.querySelector(".case-title").textContent = c.description || t("no_desc");
  const badges = node.querySelector(".badges");
  badges.append(el("span", "tag " + c.triage, t("t_" + c.triage)));
  badges.append(el("span", "tag " + c.emotion, t("e_" + c.emotion)));
  if (c.escalated) badges.append(el("span", "tag escalated", t("escalated")));
  if (c.supervisor) badges.append(el("span", "tag supervisor", t("supervisor")));
  for (const t of c.tags || []) badges.append(el("span", "tag", t));
  const dl = node.querySelector(".facts");
  fact(dl, t("order"), c.order_number);
  fact(dl, t("contact"), c.contact);
  if (c.email) {
    // The server only stores addresses that passed its check; still text, never markup.
    const link = el("a", "email", c.email);
    // Encoded, so that nothing in an address can add headers (?bcc=) or escapes to the link.
    const at = c.email.lastIndexOf("@");
    link.href = "mailto:" + encodeURIComponent(c.email.slice(0, at)) + "@" + encodeURIComponent(c.email.slice(at + 1));
    dl.append(el("dt", null, t("email")));
    const dd = el("dd");
    dd.append(link);
    dl.append(dd);
  }
  fact(dl, t("locale"), c.locale);
  fact(dl, t("received"), fmtTime(c.created_at));
  fact(dl, t("deadline"), fmtTime(c.deadline_at));
  fact(dl, t("first_reply"), fmtTime(c.first_response_at));
  fact(dl, t("promised"), c.promise);
  fact(dl, t("assigned"), c.assigned_to);
  fact(dl, t("status"), t(c.status) + (c.resolved === false ? t("unresolved") : ""));
  if (c.rating) fact(dl, t("rating"), c.rating + " / 5" + (c.rating_comment ? " — " + c.rating_comment : ""));
  const missing = (c.declared_attachments || []).length - c.attachments.length;
  if (missing > 0) fact(dl, t("photos_label"), missing + " " + t("photos_missing"));
  fact(dl, t("case_id"), c.id);

  const photos = node.querySelector(".photos");
  for (const a of c.attachments) {
    const link = el("a");
    link.href = a.url;
    link.target = "_blank";
    link.rel = "noopener";
    const img = el("img");
    img.src = a.url;
    img.alt = a.filename || "photo";
    img.title = (a.filename || "photo") + " · " + a.width + "×" + a.height;
    link.append(img);
    photos.append(link);
  }

  const ol = node.querySelector(".transcript");
  for (const m of c.messages) {
    const li = el("li", m.role);
    li.append(el("span", "meta", (m.role === "agent" && m.agent ? m.agent : t("r_" + m.role)) + " · " + fmtTime(m.at) +
      (m.source === "transcript" ? " · " + t("before") : "")));
    li.append(document.createTextNode(m.text));
    ol.append(li);
  }

  const form = node.querySelector(".reply-form");
  const err = form.querySelector(".error");
  if (c.status === "closed") {
    form.querySelector(".reply-text").disabled = true;
    form.querySelector(".send").disabled = true;
  } else if (mayWrite(c)) {
    typingSignal(id, form.querySelector(".reply-text"), c);
  }
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const text = form.querySelector(".reply-text").value.trim();
    const send = form.querySelector(".send");
    // One reply per click: a double click (or Enter pressed twice on a slow network) would
    // send it twice.
    if (!text || send.disabled) return;
    send.disabled = true;
    try {
      await api("POST", "/inbox/api/cases/" + encodeURIComponent(id) + "/reply", { text });
      form.querySelector(".reply-text").value = "";
      await openCase(id);
      await loadQueue();
    } catch (e) { err.textContent = e.message; } finally { send.disabled = false; }
  });

  if (state.me && state.me.role === "supervisor" && c.status === "open") {
    const sup = form.querySelector(".supervisor-actions");
    sup.hidden = false;
    const sel = sup.querySelector(".assign-to");
    sel.append(new Option(t("unassigned"), ""));
    for (const u of state.users) sel.append(new Option(u.name + " (" + t("role_" + u.role) + ")", u.name));
    sel.value = c.assigned_to || "";
    sel.dataset.initial = sel.value;
    sup.querySelector(".assign").addEventListener("click", async () => {
      try {
        await api("POST", "/inbox/api/cases/" + encodeURIComponent(id) + "/assign", { user: sel.value || null });
        await openCase(id); await loadQueue();
      } catch (e) { err.textContent = e.message; }
    });
    const close = async (resolved) => {
      try {
        await api("POST", "/inbox/api/cases/" + encodeURIComponent(id) + "/close", { resolved });
        await openCase(id); await loadQueue();
      } catch (e) { err.textContent = e.message; }
    };
    sup.querySelector(".close-resolved").addEventListener("click", () => close(true));
    sup.querySelector(".close-unresolved").addEventListener("click", () => close(false));
  }
  $("detail").replaceChildren(node);
  // Newest messages are at the bottom: show them, unless the agent was reading further up
  // this same case when it was redrawn for a new message.
  $("detail").scrollTop = readingUp ? keepTop : $("detail").scrollHeight;
}

function translateNode(root) {
  for (const e of root.querySelectorAll("[data-i18n]")) e.textContent = t(e.dataset.i18n);
  for (const e of root.querySelectorAll("[data-i18n-placeholder]")) e.placeholder = t(e.dataset.i18nPlaceholder);
}

document.addEventListener("DOMContentLoaded", async () => {
  translatePage();
  $("login-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    $("login-error").textContent = "";
    try {
      const me = await api("POST", "/inbox/api/login", { name: $("login-name").value, password: $("login-password").value });
      $("login-password").value = "";
      await showApp(me);
    } catch (e) { $("login-error").textContent = e.message; }
  });
  $("logout").addEventListener("click", async () => {
    try { await api("POST", "/inbox/api/logout", {}); } catch (e) { /* ignore */ }
    showLogin();
  });
  $("filter").addEventListener("change", () => { state.filter = $("filter").value; state.offset = 0; loadQueue().catch(() => {}); });
  $("prev").addEventListener("click", () => { state.offset = Math.max(0, state.offset - PAGE); loadQueue().catch(() => {}); });
  $("next").addEventListener("click", () => { state.offset += PAGE; loadQueue().catch(() => {}); });
  try {
    const me = await api("GET", "/inbox/api/me");
    await showApp(me);
  } catch (e) { showLogin(); }
});
