// Intake: "Link this call" puts the repair job's number into the form's link_to field.
(function () {
  "use strict";
  var field = document.getElementById("f-link_to");
  var buttons = document.querySelectorAll("[data-link-to]");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener("click", function (event) {
      if (!field) { return; }
      field.value = event.currentTarget.getAttribute("data-link-to");
      field.classList.add("just-linked");
      field.scrollIntoView({ block: "center" });
      field.focus();
    });
  }
})();
