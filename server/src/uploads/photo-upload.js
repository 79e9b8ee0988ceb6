// The photo step's upload on choice (issue 14). Plain JavaScript, not an island: the WASM
// bundle's budget is spent. Loaded by the photo step only (`app::pages::appeal::photos_page`).
//
// When a photo is chosen it is sent at once to the form's own route (the same multipart field,
// cookie and same-origin rules as the form), scaled down on the device first when it is larger
// than the server keeps (`data-max-side`) and the browser can (createImageBitmap + canvas
// toBlob), with a <progress> and a status line. The server answers as it answers the form (a
// redirect to the step, with the photo or with the reason it was refused); the page then opens
// that step. Every word comes from the page (`data-*`), so this file has no language. The server
// checks and re-encodes whatever arrives: scaling down here only saves the resident's data.
// Without upload progress events (or FormData) nothing happens and the form works as before.

(() => {
  const form = document.getElementById("photo-upload");
  const input = form && form.querySelector('input[type="file"][name="photo"]');
  const box = document.getElementById("upload-progress");
  const bar = document.getElementById("upload-bar");
  const status = document.getElementById("upload-status");
  if (!form || !input || !box || !bar || !status) return;
  if (!window.FormData || !window.XMLHttpRequest || !("upload" in new XMLHttpRequest())) return;

  const maxSide = Number(form.dataset.maxSide) || 1600;
  const text = (name, n) => (form.dataset[name] || "").replace("{n}", String(n));
  let busy = false;

  const buttons = (disabled) => {
    for (const b of form.querySelectorAll("button")) b.disabled = disabled;
  };

  // The photo as JPEG with its longest side at most maxSide, or the file as chosen when it is not
  // larger, when the browser cannot decode it (the server then says what is wrong with it), or
  // when the smaller copy would not be smaller in bytes.
  async function scaledDown(file) {
    if (!window.createImageBitmap || !window.HTMLCanvasElement || !HTMLCanvasElement.prototype.toBlob) return file;
    let bitmap;
    try {
      bitmap = await createImageBitmap(file);
    } catch (e) {
      return file;
    }
    const { width, height } = bitmap;
    const scale = maxSide / Math.max(width, height);
    if (!(scale < 1)) {
      if (bitmap.close) bitmap.close();
      return file;
    }
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.min(maxSide, Math.round(width * scale)));
    canvas.height = Math.max(1, Math.min(maxSide, Math.round(height * scale)));
    const ctx = canvas.getContext("2d");
    if (!ctx) return file;
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    if (bitmap.close) bitmap.close();
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
    return blob && blob.size < file.size ? blob : file;
  }

  let spoken = -1;
  function progress(percent) {
    bar.value = percent;
    // The status line is read out: every tenth, not every event.
    const tenth = Math.floor(percent / 10);
    if (tenth !== spoken) {
      spoken = tenth;
      status.textContent = text("uploading", percent);
    }
  }

  function stop(message) {
    busy = false;
    box.hidden = true;
    bar.removeAttribute("value");
    buttons(false);
    status.textContent = message;
    // So that choosing the same photo again is a change again.
    input.value = "";
  }

  // The page the server redirected to (the step: stored, or refused with the reason at the
  // field) is opened; of any other answer (an expired draft, too many uploads at once) the
  // page's own words are shown here.
  function answered(xhr) {
    const url = xhr.responseURL ? new URL(xhr.responseURL) : null;
    const posted = new URL(form.action, location.href);
    if (xhr.status === 200 && url && url.origin === location.origin && url.pathname !== posted.pathname) {
      location.replace(url.href);
      return;
    }
    let said = "";
    try {
      const doc = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
      const alert = doc.querySelector('[role="alert"]');
      said = alert ? alert.textContent.trim() : "";
    } catch (e) {
      said = "";
    }
    stop(said || text("failed"));
  }

  async function send(file) {
    busy = true;
    buttons(true);
    spoken = -1;
    box.hidden = false;
    bar.removeAttribute("value");
    status.textContent = text("preparing");
    let body = file;
    try {
      body = await scaledDown(file);
    } catch (e) {
      body = file;
    }
    const name = body === file ? file.name : `${(file.name || "photo").replace(/\.[^.]*$/, "")}.jpg`;
    const data = new FormData();
    data.append("photo", body, name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable && e.total > 0) progress(Math.min(100, Math.floor((e.loaded * 100) / e.total)));
    });
    xhr.addEventListener("load", () => answered(xhr));
    for (const ended of ["error", "abort", "timeout"]) {
      xhr.addEventListener(ended, () => stop(text("failed")));
    }
    progress(0);
    xhr.send(data);
  }

  input.addEventListener("change", () => {
    const file = input.files && input.files[0];
    if (!file || busy) return;
    send(file);
  });
})();
