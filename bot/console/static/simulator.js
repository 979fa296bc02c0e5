// Phone simulator: plays Africa's Talking's part through the console, for test numbers only.
// USSD: one POST per screen to the console with the session id, the number and the answers so
// far joined by "*", exactly as AT sends them; the console hands it to the bot on the server.
// SMS: a POST as AT forwards a text; the replies come back through the console's outbox.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("simulator");
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  const cfg = root.dataset;
  const ussd = {id: "", inputs: [], live: false};
  const seen = new Set();
  let pollTimer = null, pollUntil = 0, lastSent = 0;

  const randomHex = (n) => [...crypto.getRandomValues(new Uint8Array(n))]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
  const phone = () => $("sim-phone").value.trim();

  // POST to the console; the answer's body, or an Error with the console's own words.
  async function post(url, fields) {
    const {status, body} = await Console.postJSON(url, fields);
    if (status !== 200) {
      throw new Error(body.error || `The console answered ${status}.`);
    }
    return body;
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
      const reply = (await post(cfg.ussdUrl, {
        session: ussd.id, phone: phone(), text: ussd.inputs.join("*"),
      })).screen;
      const more = reply.startsWith("CON ");
      $("ussd-screen").textContent = reply.replace(/^(CON|END) /, "");
      $("ussd-screen").scrollTop = 0;
      $("ussd-status").textContent = more ? "Type your answer and press Send." : "Session ended. Dial again to start over.";
      Console.busy(button, false);
      setLive(more);
    } catch (err) {
      Console.busy(button, false);
      $("ussd-screen").textContent = "Not connected.";
      $("ussd-status").textContent = err.message;
      setLive(false);
    }
  }

  $("ussd-dial").addEventListener("click", (event) => {
    ussd.id = randomHex(8);
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
    try {
      await post(cfg.smsUrl, {phone: phone(), text});
      addBubble("me", text, new Date().toLocaleTimeString());
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
    $("sms-status").textContent = "";
    seen.clear();
    readOutbox(true);
  }
  $("sim-phone").addEventListener("change", reset);
  // Another test number: one of the test prefixes, filled up with random digits.
  $("sim-new").addEventListener("click", () => {
    const prefixes = cfg.prefixes ? cfg.prefixes.split(",") : [];
    if (!prefixes.length) return;
    let number = prefixes[Math.floor(Math.random() * prefixes.length)];
    while (number.length < Number(cfg.numberLength)) {
      number += String(crypto.getRandomValues(new Uint8Array(1))[0] % 10);
    }
    $("sim-phone").value = number;
    reset();
  });
  readOutbox(true);
});
