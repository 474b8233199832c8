// zhifa's own small script: no framework, no build step, nothing from elsewhere.
document.addEventListener("change", (e) => {
  const el = e.target;
  if (el.matches && el.matches("[data-autosubmit]")) el.form.submit();
});
document.addEventListener("click", (e) => {
  const el = e.target.closest && e.target.closest("[data-confirm]");
  if (el && !window.confirm(el.dataset.confirm)) e.preventDefault();
});

// Forms whose groups apply to some kinds only (e.g. a party's identity document or credit code):
// show the groups for the chosen kind. Without script every group stays visible with its hint.
function zhifaShowKindGroups(form) {
  const chosen = form.querySelector('input[name="kind"]:checked, select[name="kind"]');
  if (!chosen) return;
  form.querySelectorAll("[data-for-kinds]").forEach((group) => {
    group.hidden = !group.dataset.forKinds.split(" ").includes(chosen.value);
  });
}
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form").forEach((form) => {
    if (form.querySelector("[data-for-kinds]")) zhifaShowKindGroups(form);
  });
});
document.addEventListener("change", (e) => {
  if (e.target.name === "kind" && e.target.form && e.target.form.querySelector("[data-for-kinds]")) {
    zhifaShowKindGroups(e.target.form);
  }
});
