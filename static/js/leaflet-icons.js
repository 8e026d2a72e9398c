// Leaflet guesses its marker images' folder from its stylesheet, which fails once static
// files carry content hashes (production): give it their exact addresses instead.
(() => {
  const urls = document.currentScript.dataset;
  L.Icon.Default.imagePath = "";
  L.Icon.Default.mergeOptions({
    iconUrl: urls.icon,
    iconRetinaUrl: urls.icon2x,
    shadowUrl: urls.shadow,
  });
})();
