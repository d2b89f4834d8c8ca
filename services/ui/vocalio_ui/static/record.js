// Record a reference voice in the browser (templates/voice_record.html). Plain JS, no build step, no
// inline script (the CSP allows only our own files). The take is checked here for what is cheap to see
// (length, peak level) before it is sent; the API's checks decide, and their refusals are shown as sent.
(() => {
  "use strict";
  const form = document.getElementById("record-form");
  if (!form) return;
  const $ = (id) => document.getElementById(id);
  const limits = {
    min: Number(form.dataset.minS), // what the API accepts
    max: Number(form.dataset.maxS),
    idealMin: Number(form.dataset.idealMinS), // what a good reference lasts
    idealMax: Number(form.dataset.idealMaxS),
  };
  const CLIP_PEAK = 0.99; // a sample this close to full scale is (or will be, after encoding) clipped
  const QUIET_PEAK = 0.03; // about -30 dBFS at the loudest syllable: the noise floor is too close
  // Containers the browser may record in, best first; the API decodes all of them.
  const MIME_TYPES = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/webm", "audio/mp4"];
  const EXTENSIONS = { "audio/webm": "webm", "audio/ogg": "ogg", "audio/mp4": "m4a" };

  const prompts = Array.from($("prompt-list").children).map((item) => ({
    id: item.dataset.promptId,
    text: item.textContent,
    covers: item.dataset.covers,
  }));
  let promptIndex = 0;
  let take = null; // { blob, seconds, peak }
  let session = null; // the recording in progress

  const status = (text) => {
    $("recorder-status").textContent = text;
  };
  const dbfs = (peak) => (peak > 0 ? (20 * Math.log10(peak)).toFixed(1) : "-inf");

  function showPrompt() {
    const prompt = prompts[promptIndex];
    $("prompt-text").textContent = prompt.text;
    $("prompt-text").dataset.promptId = prompt.id;
    $("prompt-id").value = prompt.id;
    $("prompt-covers").textContent = `Sounds: ${prompt.covers}`;
  }

  function discardTake() {
    if (take) URL.revokeObjectURL($("take").src);
    take = null;
    $("take").hidden = true;
    $("take").removeAttribute("src");
    $("take-checks").replaceChildren();
    $("record-save").disabled = true;
  }

  function check(kind, text) {
    const item = document.createElement("li");
    item.className = kind;
    item.dataset.check = kind;
    item.textContent = text;
    $("take-checks").append(item);
    return kind;
  }

  // What the page can tell before sending: the API refuses outside [min, max] s, a good take lasts
  // [idealMin, idealMax] s, and a peak at full scale means clipping the API would refuse.
  function checkTake({ seconds, peak }) {
    $("take-checks").replaceChildren();
    const kinds = [];
    if (seconds < limits.min) {
      kinds.push(check("error", `Too short: ${seconds.toFixed(1)} s; at least ${limits.min} s are needed. Read the whole sentence.`));
    } else if (seconds > limits.max) {
      kinds.push(check("error", `Too long: ${seconds.toFixed(1)} s; at most ${limits.max} s. Record only the sentence.`));
    } else if (seconds < limits.idealMin) {
      kinds.push(check("warning", `Short: ${seconds.toFixed(1)} s. A reference of ${limits.idealMin}–${limits.idealMax} s clones better; read at your narrating pace.`));
    } else if (seconds > limits.idealMax) {
      kinds.push(check("warning", `Long: ${seconds.toFixed(1)} s. Did you read only the sentence, with no long pauses?`));
    }
    if (peak >= CLIP_PEAK) {
      kinds.push(check("warning", `Peak at ${dbfs(peak)} dBFS: probably clipped. Lower the input gain and record again.`));
    } else if (peak < QUIET_PEAK) {
      kinds.push(check("warning", `Very quiet (peak ${dbfs(peak)} dBFS): move closer to the microphone or raise its gain.`));
    }
    if (!kinds.length) check("ok", `Length ${seconds.toFixed(1)} s, peak ${dbfs(peak)} dBFS: looks good.`);
    return !kinds.includes("error");
  }

  async function start() {
    discardTake();
    $("record-errors").replaceChildren();
    if (!navigator.mediaDevices || !window.MediaRecorder) {
      status("This browser cannot record audio here (a secure https:// page and a recent browser are needed).");
      return;
    }
    let stream;
    try {
      // Mono and unprocessed: echo cancellation, noise suppression and gain control change the voice.
      stream = await navigator.mediaDevices.getUserMedia({
        audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
      });
    } catch (error) {
      status(`No microphone: ${error.message || error.name}. Allow the page to use it and try again.`);
      return;
    }
    const mimeType = MIME_TYPES.find((type) => MediaRecorder.isTypeSupported(type)) || "";
    const recorder = new MediaRecorder(stream, mimeType ? { mimeType, audioBitsPerSecond: 128000 } : {});
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 2048;
    context.createMediaStreamSource(stream).connect(analyser);
    const frame = new Float32Array(analyser.fftSize);
    session = { stream, recorder, context, chunks: [], peak: 0, startedAt: performance.now(), timer: 0 };
    recorder.addEventListener("dataavailable", (event) => {
      if (event.data.size) session.chunks.push(event.data);
    });
    recorder.addEventListener("stop", finish, { once: true });
    session.timer = setInterval(() => {
      analyser.getFloatTimeDomainData(frame);
      let framePeak = 0;
      for (const sample of frame) framePeak = Math.max(framePeak, Math.abs(sample));
      session.peak = Math.max(session.peak, framePeak);
      $("level").value = framePeak;
      const seconds = (performance.now() - session.startedAt) / 1000;
      $("elapsed").textContent = `${seconds.toFixed(1)} s`;
      if (seconds >= limits.max) stop(); // past the API's limit the take would be refused anyway
    }, 50);
    recorder.start(250);
    $("record-start").disabled = true;
    $("next-prompt").disabled = true; // the take belongs to the sentence on screen
    $("record-stop").disabled = false;
    status("Recording… read the sentence, then press Stop.");
  }

  function stop() {
    if (!session || session.recorder.state === "inactive") return;
    session.seconds = (performance.now() - session.startedAt) / 1000;
    clearInterval(session.timer);
    session.recorder.stop();
  }

  async function finish() {
    const { stream, recorder, context, chunks } = session;
    stream.getTracks().forEach((track) => track.stop());
    const blob = new Blob(chunks, { type: recorder.mimeType || "audio/webm" });
    let { seconds, peak } = session;
    session = null;
    try {
      // The decoded file is what the API will measure: take its length and peak over the live estimate.
      const decoded = await context.decodeAudioData(await blob.arrayBuffer());
      seconds = decoded.duration;
      peak = 0;
      for (let channel = 0; channel < decoded.numberOfChannels; channel++) {
        for (const sample of decoded.getChannelData(channel)) peak = Math.max(peak, Math.abs(sample));
      }
    } catch (error) {
      // Some browsers cannot decode their own recording container; the live figures stand.
    }
    context.close();
    $("level").value = 0;
    $("elapsed").textContent = `${seconds.toFixed(1)} s`;
    take = { blob, seconds, peak };
    $("take").src = URL.createObjectURL(blob);
    $("take").hidden = false;
    const usable = checkTake(take);
    $("record-save").disabled = !usable;
    $("record-start").disabled = false;
    $("next-prompt").disabled = false;
    $("record-stop").disabled = true;
    $("record-start").textContent = "Record again";
    status(usable ? "Listen to the take, then save it or record again." : "Record again: this take cannot be saved.");
  }

  function showErrors(errors, lead) {
    const box = $("record-errors");
    box.replaceChildren();
    const intro = document.createElement("p");
    intro.className = "error";
    intro.textContent = lead;
    box.append(intro);
    for (const error of errors) {
      const item = document.createElement("div");
      item.className = "error-box field-error";
      item.dataset.field = error.field;
      const message = document.createElement("p");
      message.className = "error";
      message.textContent = error.message;
      item.append(message);
      if (error.hint) {
        const hint = document.createElement("p");
        hint.className = "hint";
        hint.textContent = error.hint;
        item.append(hint);
      }
      box.append(item);
    }
  }

  async function save(event) {
    event.preventDefault(); // the browser has checked name and consent (required) before this runs
    if (!take) return;
    const data = new FormData(form);
    const type = take.blob.type.split(";")[0];
    data.append("file", take.blob, `recording.${EXTENSIONS[type] || "webm"}`);
    $("record-save").disabled = true;
    status("Saving… the API checks the recording.");
    let response;
    let body = null;
    try {
      response = await fetch(form.action, { method: "POST", body: data, headers: { Accept: "application/json" } });
      body = await response.json();
    } catch (error) {
      showErrors([], "The dashboard did not answer (or your session ended): sign in again, then save.");
      $("record-save").disabled = false;
      return;
    }
    if (response.status === 201) {
      window.location.assign(body.redirect);
      return;
    }
    showErrors(body.errors || [], "The API refused this recording; nothing was stored.");
    status("Fix what is shown, then save again or record again.");
    $("record-save").disabled = false;
  }

  $("next-prompt").addEventListener("click", () => {
    promptIndex = (promptIndex + 1) % prompts.length;
    showPrompt();
    discardTake(); // a take of another sentence must not be saved with this one's transcript
  });
  $("record-start").addEventListener("click", start);
  $("record-stop").addEventListener("click", stop);
  form.addEventListener("submit", save);
})();
