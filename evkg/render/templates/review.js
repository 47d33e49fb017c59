// evkg review page: a suggestion's link scrolls to its sentence and marks it; a
// highlighted sentence marks its suggestions. The page adds no text of its own to the
// document: everything shown was escaped when the page was written.
(function () {
  "use strict";
  const state = { ready: false, current: null };
  window.evkgReview = state;

  function clear() {
    document.querySelectorAll(".current").forEach((node) => node.classList.remove("current"));
  }

  function marksOf(anchor) {
    return Array.from(document.querySelectorAll("mark.s")).filter(
      (node) => node.dataset.s.split(" ").indexOf(anchor) >= 0);
  }

  function show(anchor, from) {
    const target = document.getElementById(anchor);
    if (!target) return;
    clear();
    marksOf(anchor).forEach((node) => node.classList.add("current"));
    target.classList.add("current");
    if (from) from.classList.add("current");
    target.scrollIntoView({ block: "center" });
    history.replaceState(null, "", "#" + anchor);
    state.current = anchor;
  }

  document.querySelectorAll("a.goto").forEach((link) => {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      show(link.dataset.target, link.closest("li.fact"));
    });
  });

  document.querySelectorAll("mark.s").forEach((mark) => {
    mark.addEventListener("click", () => {
      const anchors = mark.dataset.s.split(" ");
      const items = Array.from(document.querySelectorAll("li.fact[data-anchor]")).filter(
        (item) => anchors.indexOf(item.dataset.anchor) >= 0);
      clear();
      anchors.forEach((anchor) => marksOf(anchor).forEach((node) => node.classList.add("current")));
      items.forEach((item) => item.classList.add("current"));
      if (items.length) items[0].scrollIntoView({ block: "nearest" });
      state.current = anchors[0];
    });
  });

  state.highlights = document.querySelectorAll("mark.s").length;
  state.ready = true;
})();
