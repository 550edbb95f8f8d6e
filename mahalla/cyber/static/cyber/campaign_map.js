// Victims of a campaign per mahalla as circles on a map without tiles (nothing is loaded from outside).
document.addEventListener("DOMContentLoaded", function () {
  var element = document.getElementById("campaign-map");
  var data = document.getElementById("campaign-victims");
  if (!element || !data || typeof L === "undefined") { return; }
  var victims = JSON.parse(JSON.parse(data.textContent));
  if (!victims.length) { element.style.display = "none"; return; }
  var map = L.map(element, { attributionControl: false });
  var bounds = [];
  victims.forEach(function (v) {
    var radius = 4 + 3 * Math.sqrt(v.victims);
    L.circleMarker([v.lat, v.lon], { radius: radius, weight: 1 }).bindTooltip(v.name + ": " + v.victims).addTo(map);
    bounds.push([v.lat, v.lon]);
  });
  map.fitBounds(bounds, { padding: [20, 20], maxZoom: 12 });
});
