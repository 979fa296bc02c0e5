// Mentor Mother console: small helpers for every page. No library; the pages work without it.
"use strict";

const Console = (() => {
  const token = () => document.querySelector('meta[name="csrf-token"]').content;

  // Show that a request is running: the button is disabled and spins until the answer comes.
  function busy(button, on) {
    if (!button) return;
    if (on) {
      button.dataset.label = button.dataset.label || button.textContent;
      button.textContent = button.dataset.busyText || "Working...";
      button.classList.add("busy");
      button.disabled = true;
    } else {
      if (button.dataset.label) button.textContent = button.dataset.label;
      button.classList.remove("busy");
      button.disabled = false;
    }
  }

  // POST JSON to the console with the form token in a header; always resolves to {status, body}.
  async function postJSON(url, data) {
    let answer;
    try {
      answer = await fetch(url, {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": token()},
        body: JSON.stringify(data),
      });
    } catch (err) {
      return {status: 0, body: {error: "No answer from the server. Check the connection and try again."}};
    }
    let body = {};
    try { body = await answer.json(); } catch (err) { body = {error: "The server answered something unreadable."}; }
    return {status: answer.status, body};
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  return {busy, postJSON, element, token};
})();

// Forms marked data-busy: a spinner on the button while the page loads the answer.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches("form[data-busy]") || event.defaultPrevented) return;
  Console.busy(event.submitter || form.querySelector('button[type="submit"]'), true);
});
// Coming back with the browser's Back button must not leave a button spinning.
window.addEventListener("pageshow", () => {
  document.querySelectorAll("button.busy").forEach((b) => Console.busy(b, false));
});

// Character counters on the text editor, with the SMS limit and characters phones cannot show.
const GSM = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡" +
  "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXTRA = "^{}\\[~]|€";

function describeText(text, sms) {
  let length = 0;
  const odd = new Set();
  for (const ch of text) {
    if (GSM.includes(ch)) length += 1;
    else if (GSM_EXTRA.includes(ch)) length += 2;
    else { length += 1; odd.add(ch); }
  }
  let words = `${length} characters` + (sms ? " of 160" : "");
  if (odd.size) words += `. Not plain characters: ${[...odd].join(" ")} (use straight quotes ' " and -)`;
  return {words, over: (sms && length > 160) || odd.size > 0};
}

function setUpTextEditor(form) {
  const sms = form.dataset.sms === "yes";
  form.querySelectorAll("textarea[data-counter]").forEach((area) => {
    const counter = document.getElementById(area.dataset.counter);
    const update = () => {
      const found = describeText(area.value, sms);
      counter.textContent = found.words;
      counter.classList.toggle("over", found.over);
    };
    area.addEventListener("input", update);
    // A text is one line: the bot makes the screen's line breaks itself.
    area.addEventListener("keydown", (e) => { if (e.key === "Enter") e.preventDefault(); });
    update();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type="submit"]');
    Console.busy(button, true);
    const data = Object.fromEntries(new FormData(form).entries());
    delete data.csrf_token;
    const {status, body} = await Console.postJSON(form.action, data);
    Console.busy(button, false);
    showResult(body, status);
    if (body.ok) {
      ["en", "sw"].forEach((lang) => {
        const was = form.querySelector(`input[name="was_${lang}"]`);
        const area = form.querySelector(`textarea[name="text_${lang}"]`);
        if (was && area) was.value = area.value;
      });
      refreshReviewAndHistory();
    }
  });
}

// After a save the text's review state and its list of changes are out of date: take both
// from the page as the server draws it now.
async function refreshReviewAndHistory() {
  let html;
  try {
    const answer = await fetch(location.href, {credentials: "same-origin"});
    if (!answer.ok) return;
    html = await answer.text();
  } catch (err) { return; }
  const fresh = new DOMParser().parseFromString(html, "text/html");
  ["history", ...["en", "sw"].map((lang) => `review_${lang}`)].forEach((id) => {
    const now = document.getElementById(id);
    const then = fresh.getElementById(id);
    if (now && then) now.replaceWith(document.importNode(then, true));
  });
}

function showResult(body, status) {
  const box = document.getElementById("result");
  box.replaceChildren();
  const notice = Console.element("div", "notice " + (body.ok ? "ok" : "problem"));
  notice.append(Console.element("strong", "", body.message || body.error || `The server answered ${status}.`));
  if (body.problems && body.problems.length) {
    const list = Console.element("ul");
    body.problems.forEach((p) => {
      const item = Console.element("li");
      if (p.where) item.append(Console.element("span", "where", p.where + ": "));
      item.append(document.createTextNode(p.message));
      if (p.fix) item.append(Console.element("span", "fix", "Fix: " + p.fix));
      list.append(item);
    });
    notice.append(list);
  }
  box.append(notice);
  box.scrollIntoView({block: "nearest"});
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("text-form");
  if (form) setUpTextEditor(form);
});

// An SMS written to a mother: its SMS parts and any characters that are not plain, as she
// types. The server checks it again (and for words an SMS must not name) before it goes.
function describeReply(text, maxParts) {
  const found = describeText(text.trim(), false);
  const plain = !found.words.includes("Not plain");
  const length = parseInt(found.words, 10);
  const parts = length === 0 ? 0 : length <= (plain ? 160 : 70) ? 1 : Math.ceil(length / (plain ? 153 : 67));
  return {words: `${found.words}: ${parts} SMS part${parts === 1 ? "" : "s"} (at most ${maxParts})`,
          over: !plain || parts > maxParts};
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("textarea[data-reply]").forEach((area) => {
    const counter = area.parentElement.querySelector(".counter");
    if (!counter) return;
    const update = () => {
      if (!area.value.trim()) return;
      const found = describeReply(area.value, Number(area.dataset.reply));
      counter.textContent = found.words;
      counter.classList.toggle("over", found.over);
    };
    area.addEventListener("input", update);
    update();
  });
});
