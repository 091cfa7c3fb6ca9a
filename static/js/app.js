// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Type-ahead: fields with data-lookup="organizations" fill the shared datalist as you type.
  function attachLookup(input) {
    var endpoint = input.getAttribute("data-lookup");
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    if (!list) { return; }
    input.setAttribute("autocomplete", "off");
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var query = input.value.trim();
      if (query.length < 2) { return; }
      timer = setTimeout(function () {
        fetch("/" + endpoint + "/lookup?q=" + encodeURIComponent(query), {
          headers: { Accept: "application/json" },
          credentials: "same-origin"
        })
          .then(function (response) { return response.ok ? response.json() : []; })
          .then(function (items) {
            list.replaceChildren();
            items.forEach(function (item) {
              var option = document.createElement("option");
              option.value = item.name;
              if (item.acronym) { option.label = item.name + " (" + item.acronym + ")"; }
              list.appendChild(option);
            });
          })
          .catch(function () { /* the field still works as plain text */ });
      }, 150);
    });
  }

  // Confirm before destructive POST buttons.
  function attachConfirm(form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  }

  // Copy buttons (hidden without JavaScript, where the field can still be selected by hand).
  function attachCopy(button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field || !navigator.clipboard) { return; }
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        button.textContent = button.getAttribute("data-copied") || label;
        setTimeout(function () { button.textContent = label; }, 2000);
      });
    });
  }

  // The search box in the header: suggestions as you type; choosing one opens its page.
  function attachSearch(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var urls = {};
    var timer = null;
    if (!list) { return; }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var query = input.value.trim();
      if (urls[input.value]) { window.location.href = urls[input.value]; return; }
      if (query.length < 2) { return; }
      timer = setTimeout(function () {
        fetch(input.getAttribute("data-search") + "?q=" + encodeURIComponent(query), {
          headers: { Accept: "application/json" },
          credentials: "same-origin"
        })
          .then(function (response) { return response.ok ? response.json() : []; })
          .then(function (hits) {
            list.replaceChildren();
            urls = {};
            hits.forEach(function (hit) {
              var option = document.createElement("option");
              option.value = hit.label;
              urls[hit.label] = hit.url;
              list.appendChild(option);
            });
          })
          .catch(function () { /* the form still searches on Enter */ });
      }, 120);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-search]").forEach(attachSearch);
    document.querySelectorAll("button[data-copy]").forEach(attachCopy);
    document.querySelectorAll("input[data-lookup]").forEach(attachLookup);
    document.querySelectorAll("form[data-confirm]").forEach(attachConfirm);
  });
})();
