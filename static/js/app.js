// Corkboard's progressive enhancements. Every page works without this file.
"use strict";

// A form that came back with errors: start at its summary (autofocus does this on a normal
// load; a page written by the upload script below needs telling).
document.getElementById("error-summary")?.focus();

// Photo forms: previews of the chosen photos, and an upload progress bar.
for (const form of document.querySelectorAll("form[data-photo-form]")) {
  const input = form.querySelector("input[type=file]");
  if (input) {
    const previews = document.createElement("ul");
    previews.className = "photo-previews";
    previews.setAttribute("aria-label", "Photos to upload");
    input.insertAdjacentElement("afterend", previews);
    input.addEventListener("change", () => {
      for (const img of previews.querySelectorAll("img")) URL.revokeObjectURL(img.src);
      previews.replaceChildren();
      for (const file of input.files) {
        const item = document.createElement("li");
        const img = document.createElement("img");
        img.src = URL.createObjectURL(file);
        img.alt = file.name;
        item.append(img);
        previews.append(item);
      }
    });
  }

  form.addEventListener("submit", (event) => {
    if (!window.FormData || !window.XMLHttpRequest) return;
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    const progress = document.createElement("progress");
    progress.className = "upload-progress";
    progress.max = 100;
    progress.value = 0;
    progress.setAttribute("aria-label", "Upload progress");
    (button || form).insertAdjacentElement("afterend", progress);
    if (button) button.disabled = true;

    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) progress.value = Math.round((e.loaded / e.total) * 100);
    });
    xhr.addEventListener("load", () => {
      // Show the page the server answered with: after a success, the page the redirect led
      // to (with its flash message); after an error, the form with its messages.
      const url = xhr.status < 300 ? xhr.responseURL : window.location.href;
      document.open();
      document.write(xhr.responseText);
      document.close();
      history.replaceState(null, "", url);
    });
    xhr.addEventListener("error", () => {
      progress.remove();
      if (button) button.disabled = false;
      form.submit();
    });
    xhr.send(new FormData(form));
  });
}
