// Phone simulator: plays Africa's Talking's part against the bot's own webhooks.
// USSD: one POST per screen to /ussd with sessionId, serviceCode, phoneNumber and text, where
// text is every answer so far joined by "*", exactly as AT sends it. SMS: a POST to
// /sms/incoming as AT forwards a text; the replies come back through the console's outbox.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("simulator");
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  const cfg = root.dataset;
  const ussd = {id: "", inputs: [], live: false};
  let webhookToken = null;
  const seen = new Set();
  let pollTimer = null, pollUntil = 0, lastSent = 0;

  const randomHex = (n) => [...crypto.getRandomValues(new Uint8Array(n))]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
  const phone = () => $("sim-phone").value.trim();

  async function withToken(url) {
    if (webhookToken === null) {
      const answer = await fetch(cfg.tokenUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}});
      if (!answer.ok) throw new Error("Your login has ended: reload the page and log in again.");
      webhookToken = (await answer.json()).token || "";
    }
    return webhookToken ? `${url}?token=${encodeURIComponent(webhookToken)}` : url;
  }

  async function postForm(url, fields) {
    const answer = await fetch(await withToken(url), {
      method: "POST", credentials: "omit",
      headers: {"Content-Type": "application/x-www-form-urlencoded"},
      body: new URLSearchParams(fields),
    });
    const text = await answer.text();
    if (!answer.ok) throw new Error(`The bot answered ${answer.status}: ${text}`);
    return text;
  }

  // ---- USSD ----
  function setLive(live) {
    ussd.live = live;
    $("ussd-input").disabled = !live;
    $("ussd-send").disabled = !live;
    $("ussd-hangup").disabled = !live;
    $("ussd-screen").classList.toggle("ended", !live);
    if (live) $("ussd-input").focus();
  }

  async function ussdRequest(button) {
    Console.busy(button, true);
    $("ussd-status").textContent = "Waiting for the network...";
    try {
      const reply = await postForm(cfg.ussdUrl, {
        sessionId: ussd.id, serviceCode: cfg.serviceCode, phoneNumber: phone(),
        networkCode: "63902", text: ussd.inputs.join("*"),
      });
      const more = reply.startsWith("CON ");
      $("ussd-screen").textContent = reply.replace(/^(CON|END) /, "");
      $("ussd-screen").scrollTop = 0;
      $("ussd-status").textContent = more ? "Type your answer and press Send." : "Session ended. Dial again to start over.";
      Console.busy(button, false);
      setLive(more);
    } catch (err) {
      Console.busy(button, false);
      $("ussd-status").textContent = err.message;
      setLive(false);
    }
  }

  $("ussd-dial").addEventListener("click", (event) => {
    ussd.id = "SIM" + randomHex(8);
    ussd.inputs = [];
    $("ussd-screen").textContent = `Calling ${cfg.serviceCode}...`;
    ussdRequest(event.currentTarget);
  });
  $("ussd-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const answer = $("ussd-input").value.trim();
    if (!ussd.live || answer === "") return;
    ussd.inputs.push(answer);
    $("ussd-input").value = "";
    ussdRequest($("ussd-send"));
  });
  $("ussd-hangup").addEventListener("click", () => {
    setLive(false);
    $("ussd-screen").textContent = "You hung up. Dial again within a few minutes to be offered to continue.";
    $("ussd-status").textContent = "Not connected.";
  });

  // ---- SMS ----
  function addBubble(who, text, note) {
    const item = Console.element("li", who, text);
    if (note) item.append(Console.element("small", "", note));
    $("sms-thread").append(item);
    $("sms-thread").scrollTop = $("sms-thread").scrollHeight;
  }

  async function readOutbox(quiet) {
    const {status, body} = await Console.postJSON(cfg.outboxUrl, {phone: phone()});
    if (status !== 200) {
      $("sms-status").textContent = body.error || `The console answered ${status}.`;
      return;
    }
    for (const message of body.messages) {
      if (seen.has(message.id)) continue;
      seen.add(message.id);
      addBubble("bot", message.text, quiet ? "earlier" : "from the bot");
      if (!quiet) $("sms-status").textContent = "";
    }
  }

  function poll() {
    clearTimeout(pollTimer);
    if (Date.now() > pollUntil) {
      if ($("sms-status").textContent.startsWith("Sent")) {
        $("sms-status").textContent = cfg.gateway === "console"
          ? "No reply yet. Is the worker running? (flask --app wsgi serve starts it.)"
          : "Replies go to the real phone through Africa's Talking.";
      }
      return;
    }
    // Often at first, when a reply is most likely; then gently, to spare a slow connection.
    const wait = Date.now() - lastSent < 10000 ? 1000 : 3000;
    readOutbox(false).finally(() => { pollTimer = setTimeout(poll, wait); });
  }

  $("sms-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = $("sms-text").value.trim();
    if (!text) return;
    const button = $("sms-send");
    Console.busy(button, true);
    const now = new Date();
    const stamp = now.toISOString().slice(0, 19).replace("T", " ");
    try {
      await postForm(cfg.smsUrl, {from: phone(), to: cfg.shortcode, text, id: "SIM" + randomHex(8),
                                  date: stamp, linkId: "", networkCode: "63902"});
      addBubble("me", text, now.toLocaleTimeString());
      $("sms-text").value = "";
      $("sms-status").textContent = "Sent. Waiting for the reply...";
      lastSent = Date.now();
      pollUntil = lastSent + 60000;
      poll();
    } catch (err) {
      $("sms-status").textContent = err.message;
    }
    Console.busy(button, false);
  });

  // ---- The number ----
  function reset() {
    setLive(false);
    $("ussd-screen").textContent = `Press Dial to call ${cfg.serviceCode}.`;
    $("ussd-status").textContent = "Not connected.";
    $("sms-thread").replaceChildren();
    seen.clear();
    readOutbox(true);
  }
  $("sim-phone").addEventListener("change", reset);
  $("sim-new").addEventListener("click", () => {
    $("sim-phone").value = "+2547000" + String(Math.floor(Math.random() * 100000)).padStart(5, "0");
    reset();
  });
  readOutbox(true);
});
