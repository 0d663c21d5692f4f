// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  var body = document.body;

  // The selector contract's debug hook. The session cookie is HttpOnly, so no token is exposed.
  window.__conduit_debug__ = {
    getToken: function () { return null; },
    getAuthState: function () { return body.dataset.auth || "unavailable"; },
    getCurrentUser: function () {
      if (body.dataset.auth !== "authenticated") { return null; }
      return {
        username: body.dataset.username,
        email: body.dataset.email,
        bio: body.dataset.bio || null,
        image: body.dataset.image || null,
        token: null
      };
    }
  };

  // Editor: Enter in the tag box turns what was typed into a pill instead of submitting the form.
  var input = document.querySelector("[data-tag-input]");
  var pills = document.querySelector("[data-tag-pills]");
  if (!input || !pills) { return; }

  function addTag(name) {
    name = name.trim();
    if (!name) { return; }
    var existing = pills.querySelectorAll("input[name=tag]");
    for (var i = 0; i < existing.length; i++) {
      if (existing[i].value === name) { return; }
    }
    var pill = document.createElement("span");
    pill.className = "tag-default tag-pill";
    var remove = document.createElement("i");
    remove.className = "ion-close-round";
    remove.setAttribute("role", "button");
    remove.setAttribute("aria-label", "Remove tag " + name);
    remove.addEventListener("click", function () { pill.remove(); });
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = "tag";
    hidden.value = name;
    pill.appendChild(remove);
    pill.appendChild(document.createTextNode(" " + name));
    pill.appendChild(hidden);
    pills.appendChild(pill);
  }

  function takeTyped() {
    input.value.split(",").forEach(addTag);
    input.value = "";
  }

  takeTyped();
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" || event.key === ",") {
      event.preventDefault();
      takeTyped();
    }
  });
})();
