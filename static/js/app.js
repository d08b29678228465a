// Corkboard's progressive enhancements. Every page works without this file.
"use strict";

// A form that came back with errors: start at its summary (autofocus does this on a normal
// load; a page written by the upload script below needs telling).
document.getElementById("error-summary")?.focus();

// Photo forms: previews of the chosen photos, and an upload progress bar.
for (const form of document.querySelectorAll("form[data-photo-form]")) {
  const input = form.querySelector("input[type=file]");
  if (input) {
    // The chosen files, shown before they are sent: each can be removed or made the cover
    // (the first photo); the file input is rebuilt in that order, which is the order the
    // server stores them in.
    const previews = document.createElement("ul");
    previews.className = "photo-previews";
    previews.setAttribute("aria-label", "Photos to upload");
    input.insertAdjacentElement("afterend", previews);
    let chosen = [];
    const canRebuild = typeof DataTransfer === "function";
    const rebuild = () => {
      if (canRebuild) {
        const files = new DataTransfer();
        for (const file of chosen) files.items.add(file);
        input.files = files.files;
      }
      for (const img of previews.querySelectorAll("img")) URL.revokeObjectURL(img.src);
      previews.replaceChildren();
      chosen.forEach((file, index) => {
        const item = document.createElement("li");
        const img = document.createElement("img");
        img.src = URL.createObjectURL(file);
        img.alt = file.name;
        item.append(img);
        if (canRebuild) {
          if (index > 0) {
            item.append(button("Make cover", `Make cover: ${file.name}`, () => {
              chosen.unshift(...chosen.splice(index, 1));
              rebuild();
            }));
          } else if (chosen.length > 1) {
            const cover = document.createElement("span");
            cover.className = "text-xs font-semibold";
            cover.textContent = "Cover";
            item.append(cover);
          }
          item.append(button("Remove", `Remove: ${file.name}`, () => {
            chosen.splice(index, 1);
            rebuild();
          }));
        }
        previews.append(item);
      });
    };
    input.addEventListener("change", () => {
      chosen = Array.from(input.files);
      rebuild();
    });
  }

  // Photos already stored (kept from an earlier try, or on the listing): drag to reorder, or
  // "Make cover"; either way the position numbers (what the server reads) follow.
  const order = form.querySelector("[data-photo-order]");
  if (order) {
    const renumber = () => {
      order.querySelectorAll("[data-position]").forEach((field, i) => {
        field.value = String(i + 1);
      });
    };
    let dragged = null;
    for (const item of order.querySelectorAll("li[data-photo-id]")) {
      item.draggable = true;
      item.addEventListener("dragstart", () => {
        dragged = item;
      });
      item.addEventListener("dragover", (event) => event.preventDefault());
      item.addEventListener("drop", (event) => {
        event.preventDefault();
        if (dragged && dragged !== item) {
          item.before(dragged);
          renumber();
        }
      });
      const label = item.querySelector("img")?.alt || "this photo";
      item.querySelector("div")?.append(button("Make cover", `Make cover: ${label}`, () => {
        order.prepend(item);
        renumber();
        item.querySelector("[data-position]")?.focus();
      }));
    }
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

// A small secondary button.
function button(text, label, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "btn btn-secondary px-2 py-0.5 text-xs";
  b.textContent = text;
  if (label !== text) b.setAttribute("aria-label", label);
  b.addEventListener("click", onClick);
  return b;
}

// Fields with a length limit count down what is left as one types.
for (const field of document.querySelectorAll("[data-counter][maxlength]")) {
  const max = Number(field.getAttribute("maxlength"));
  if (!(max >= 50)) continue;
  const counter = document.createElement("p");
  counter.className = "char-counter";
  counter.id = `${field.id}-counter`;
  field.insertAdjacentElement("afterend", counter);
  const described = field.getAttribute("aria-describedby");
  field.setAttribute("aria-describedby", described ? `${described} ${counter.id}` : counter.id);
  const update = () => {
    const left = max - field.value.length;
    counter.textContent = `${left.toLocaleString()} character${left === 1 ? "" : "s"} left`;
  };
  field.addEventListener("input", update);
  update();
}

// Live pages: one event stream per tab (Server-Sent Events) brings the member's new messages,
// read receipts and unread counts. Without it every page is still right after a reload.
const eventsUrl = document.body.dataset.events;
const conversation = document.querySelector("[data-conversation]");
const inbox = document.querySelector("[data-inbox]");

function setUnread(count) {
  for (const badge of document.querySelectorAll("[data-unread-badge]")) {
    badge.hidden = !(count > 0);
    const number = badge.querySelector("[data-unread-count]");
    if (number) number.textContent = String(count);
  }
  const title = document.title.replace(/^\(\d+\) /, "");
  document.title = count > 0 ? `(${count}) ${title}` : title;
}

async function fetchPage(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return new DOMParser().parseFromString(await response.text(), "text/html");
}

// The conversation as it is now: new messages appended (with their day separator), "Seen"
// moved. Reading the page marks the conversation read, so a hidden tab waits until shown.
let refreshing = null;
let refreshAgain = false;
async function refreshConversation() {
  if (!conversation || conversation.hasAttribute("data-paged")) return;
  if (document.hidden) { refreshAgain = true; return; }
  if (refreshing) { refreshAgain = true; return refreshing; }
  refreshing = (async () => {
    try {
      const page = await fetchPage(`/messages/${conversation.dataset.conversation}`);
      const fresh = page.getElementById("messages");
      const list = document.getElementById("messages");
      if (!fresh || !list) return;
      const nearBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 120;
      let separator = null;
      for (const item of Array.from(fresh.children)) {
        if (!item.id) { separator = item; continue; }
        const mine = document.getElementById(item.id);
        if (mine) {
          separator = null;
          const seen = item.querySelector("[data-seen]");
          mine.querySelector("[data-seen]")?.remove();
          if (seen) mine.append(seen);
        } else {
          const lastDay = [...list.querySelectorAll(".day-separator")].pop();
          if (separator && separator.textContent !== lastDay?.textContent) list.append(separator);
          separator = null;
          list.append(item);
        }
      }
      if (nearBottom) list.lastElementChild?.scrollIntoView({ block: "end" });
    } catch (error) {
      console.warn("Could not refresh the conversation:", error);
    } finally {
      refreshing = null;
      if (refreshAgain) { refreshAgain = false; refreshConversation(); }
    }
  })();
  return refreshing;
}
document.addEventListener("visibilitychange", () => {
  if (!document.hidden && refreshAgain) { refreshAgain = false; refreshConversation(); }
});

async function refreshInbox() {
  if (!inbox || new URLSearchParams(location.search).has("after")) return;
  try {
    const page = await fetchPage(location.pathname + location.search);
    const fresh = page.querySelector("[data-inbox]");
    if (fresh) inbox.replaceChildren(...fresh.children);
  } catch (error) {
    console.warn("Could not refresh the inbox:", error);
  }
}

if (eventsUrl && window.EventSource) {
  const source = new EventSource(eventsUrl);
  const here = (data) => conversation && String(data.conversation) === conversation.dataset.conversation;
  source.addEventListener("message", (event) => {
    const data = JSON.parse(event.data);
    setUnread(data.unread);
    if (here(data)) refreshConversation();
    refreshInbox();
  });
  source.addEventListener("seen", (event) => {
    if (here(JSON.parse(event.data))) refreshConversation();
  });
  source.addEventListener("unread", (event) => {
    setUnread(JSON.parse(event.data).unread);
    refreshInbox();
  });
  // The page is older than what the server keeps: start again from a fresh page.
  source.addEventListener("reset", () => location.reload());
  window.addEventListener("pagehide", () => source.close());
}

// The reply box sends without a reload; a message that could not be sent stays in the box.
const replyForm = document.querySelector("form[data-reply-form]");
if (replyForm && window.fetch && window.FormData) {
  const status = document.createElement("p");
  status.className = "send-status";
  status.setAttribute("role", "status");
  replyForm.append(status);
  replyForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = replyForm.querySelector("button:not([type=button])");
    if (button) button.disabled = true;
    status.textContent = "Sending…";
    try {
      const response = await fetch(replyForm.action, {
        method: "POST",
        body: new FormData(replyForm),
        credentials: "same-origin",
        redirect: "manual",
      });
      if (response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400)) {
        // Sent: the server answers with a redirect to the conversation.
        replyForm.reset();
        document.getElementById("error-summary")?.remove();
        for (const error of replyForm.querySelectorAll(".field-error")) error.remove();
        for (const field of replyForm.querySelectorAll("[aria-invalid]")) field.removeAttribute("aria-invalid");
        status.textContent = "Sent.";
        await refreshConversation();
      } else {
        // Refused (422, 403, 429, 503): the page came back with the message kept and the reason.
        const page = new DOMParser().parseFromString(await response.text(), "text/html");
        const freshForm = page.querySelector("form[data-reply-form]");
        const summary = page.getElementById("error-summary");
        document.getElementById("error-summary")?.remove();
        if (freshForm) {
          replyForm.replaceChildren(...freshForm.children);
          replyForm.append(status);
        }
        if (summary) {
          replyForm.insertAdjacentElement("beforebegin", summary);
          summary.focus();
        }
        status.textContent = summary ? "" : "Not sent. Please try again.";
      }
    } catch (error) {
      status.textContent = "Not sent: the connection failed. Your message is still in the box; try again.";
    } finally {
      const again = replyForm.querySelector("button:not([type=button])");
      if (again) again.disabled = false;
    }
  });
}

// Sharing a listing: "Copy link" copies the address shown beside it, and "Share…" opens the
// device's own share sheet where the browser has one. Without this file the address is
// there to copy by hand, and the plain share links work.
for (const button of document.querySelectorAll("button[data-copy]")) {
  const field = document.getElementById(button.dataset.copy);
  if (!field || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    await navigator.clipboard.writeText(field.value);
    button.textContent = "Copied";
  });
}
for (const button of document.querySelectorAll("button[data-web-share]")) {
  if (!navigator.share) continue;
  button.hidden = false;
  button.addEventListener("click", () => {
    navigator.share({ title: button.dataset.title, url: button.dataset.url }).catch(() => {});
  });
}

// Chat rooms: new messages come on the room's own stream, rendered by the server as the page
// renders them; sending stays on the page. Without this file the room works by post →
// redirect → get, and a reload shows what is new.
const room = document.querySelector("[data-room]");
if (room && !room.hasAttribute("data-paged") && window.EventSource) {
  const list = document.getElementById("room-messages");
  const source = new EventSource(`${room.dataset.room}/events?after=${room.dataset.roomLast}`);
  source.addEventListener("message", (event) => {
    const template = document.createElement("template");
    template.innerHTML = event.data;
    const item = template.content.firstElementChild;
    if (!item || !list || document.getElementById(item.id)) return;
    document.querySelector("[data-empty]")?.remove();
    const nearBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 160;
    list.append(item);
    if (nearBottom) item.scrollIntoView({ block: "end" });
  });
  // Who is here now, every half minute when it changed.
  source.addEventListener("present", (event) => {
    const line = document.querySelector("[data-present]");
    const names = line?.querySelector("[data-present-names]");
    if (!line || !names) return;
    const people = JSON.parse(event.data);
    names.textContent = people.map((p) => (p.member ? `${p.name} (member)` : p.name)).join(", ");
    line.hidden = people.length === 0;
  });
  // Closed, a new link, or removed: the page says which.
  source.addEventListener("changed", () => { source.close(); location.reload(); });
  window.addEventListener("pagehide", () => source.close());

  const form = document.querySelector("form[data-room-form]");
  if (form && window.fetch && window.FormData) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector("button");
      if (button) button.disabled = true;
      try {
        const response = await fetch(form.action, {
          method: "POST", body: new URLSearchParams(new FormData(form)),
          credentials: "same-origin", redirect: "manual",
        });
        if (response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400)) {
          form.reset();
          for (const error of form.querySelectorAll(".field-error")) error.remove();
          for (const field of form.querySelectorAll("[aria-invalid]")) field.removeAttribute("aria-invalid");
        } else {
          // Refused: the page came back with the message kept and the reason beside it.
          const page = new DOMParser().parseFromString(await response.text(), "text/html");
          const fresh = page.querySelector("form[data-room-form]");
          if (fresh) form.replaceChildren(...fresh.children);
          else form.submit();
        }
      } catch (error) {
        form.submit();
      } finally {
        const again = form.querySelector("button");
        if (again) again.disabled = false;
      }
    });
  }
}

// Meet people: ← answers No and → answers Yes (the buttons' forms, as a click would), unless
// the keys are for a field or come with a modifier.
const person = document.querySelector("[data-person]");
if (person) {
  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (event.target instanceof Element && event.target.closest("input, textarea, select, [contenteditable]")) return;
    const which = { ArrowLeft: "no", ArrowRight: "yes" }[event.key];
    const button = which && person.querySelector(`[data-answer="${which}"]`);
    if (!button) return;
    event.preventDefault();
    button.closest("form")?.requestSubmit(button);
  });
}
