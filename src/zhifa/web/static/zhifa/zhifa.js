// zhifa's own small script: no framework, no build step, nothing from elsewhere.
document.addEventListener("change", (e) => {
  const el = e.target;
  if (el.matches && el.matches("[data-autosubmit]")) el.form.submit();
});
document.addEventListener("click", (e) => {
  const el = e.target.closest && e.target.closest("[data-confirm]");
  if (el && !window.confirm(el.dataset.confirm)) e.preventDefault();
});
