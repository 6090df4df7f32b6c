// Autosave posts the whole form on every change and swaps in the re-evaluated form (skip logic,
// progress). A reply to an earlier save must not replace answers given while it was on its way:
// that swap is skipped, and the save queued behind it (hx-sync) sends them and is swapped instead.
document.addEventListener("htmx:beforeSwap", (event) => {
  const form = event.detail.elt;
  if (form.id !== "assessment-form") return;
  const sent = new URLSearchParams(event.detail.requestConfig.formData).toString();
  const now = new URLSearchParams(new FormData(form)).toString();
  if (sent !== now) event.detail.shouldSwap = false;
});
