"""Dead-drop clusters: found or advertised drop locations grouped in space and time, and how far each group
lies from the places where young people gather (schools, colleges, parks).

Points are projected onto a local plane in metres (equirectangular about their mean latitude, exact to well
under a metre over a city), time is turned into metres at ``metres_per_day``, and DBSCAN (Ester et al. 1996)
runs on the three coordinates with ``eps`` in metres: the space-time variant of Birant & Kut (2007) with one
radius. A cluster needs ``min_samples`` drops; the rest is noise (-1). Distances to the nearest place of each
kind are great-circle distances (haversine) through a ball tree.

References
----------
Ester, M., Kriegel, H.-P., Sander, J. & Xu, X. (1996). A density-based algorithm for discovering clusters in
large spatial databases with noise. Proceedings of KDD-96, 226-231.
Birant, D. & Kut, A. (2007). ST-DBSCAN: an algorithm for clustering spatial-temporal data. Data & Knowledge
Engineering 60, 208-221.

Example
-------
>>> import numpy as np
>>> lat = np.array([41.30, 41.3001, 41.3002, 41.40])
>>> lon = np.array([69.24, 69.2401, 69.2400, 69.30])
>>> day = np.array([0.0, 1.0, 2.0, 0.0])
>>> drops_cluster(lat, lon, day, eps_metres=100, min_samples=3).labels.tolist()
[0, 0, 0, -1]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sklearn.cluster import DBSCAN
from sklearn.neighbors import BallTree

EARTH_RADIUS_M = 6_371_008.8
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class DropCluster:
    label: int
    size: int
    lat: float
    lon: float
    radius_m: float  # the largest distance of a member from the centre
    first_day: float
    last_day: float
    members: list[int]


@dataclass(frozen=True)
class DropClustering:
    labels: npt.NDArray[np.int64]
    clusters: list[DropCluster]


def local_metres(lat: FloatArray, lon: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Equirectangular projection about the mean latitude, in metres."""
    lat0 = np.radians(float(np.mean(lat)))
    x = np.radians(lon) * EARTH_RADIUS_M * np.cos(lat0)
    y = np.radians(lat) * EARTH_RADIUS_M
    return x, y


def drops_cluster(
    lat: npt.ArrayLike,
    lon: npt.ArrayLike,
    day: npt.ArrayLike | None = None,
    *,
    eps_metres: float = 150.0,
    min_samples: int = 4,
    metres_per_day: float = 10.0,
) -> DropClustering:
    """DBSCAN of drop locations on metres (and time, ``metres_per_day`` metres per day apart).

    Parameters
    ----------
    lat, lon : array of float
        WGS 84 degrees.
    day : array of float, optional
        Days since any origin; without it the clustering is in space only.
    eps_metres : float
        DBSCAN neighbourhood radius in metres (of space and scaled time together).
    min_samples : int
        Drops a core point needs within ``eps_metres`` (itself included).
    metres_per_day : float
        How many metres one day apart counts as.
    """
    la = np.asarray(lat, dtype=np.float64)
    lo = np.asarray(lon, dtype=np.float64)
    if la.shape != lo.shape or la.ndim != 1:
        raise ValueError("lat and lon must be one-dimensional arrays of one length")
    if ((np.abs(la) > 90) | (np.abs(lo) > 180)).any():
        raise ValueError("lat must lie in [-90, 90] and lon in [-180, 180]")
    if eps_metres <= 0 or min_samples < 1:
        raise ValueError("eps_metres must be positive and min_samples at least 1")
    d = np.zeros_like(la) if day is None else np.asarray(day, dtype=np.float64)
    if la.size == 0:
        return DropClustering(labels=np.zeros(0, dtype=np.int64), clusters=[])
    x, y = local_metres(la, lo)
    features = np.column_stack([x - x.mean(), y - y.mean(), d * metres_per_day])
    labels = DBSCAN(eps=eps_metres, min_samples=min_samples).fit(features).labels_.astype(np.int64)
    clusters: list[DropCluster] = []
    for label in sorted(set(labels.tolist()) - {-1}):
        members = np.nonzero(labels == label)[0]
        cx, cy = float(x[members].mean()), float(y[members].mean())
        radius = float(np.sqrt((x[members] - cx) ** 2 + (y[members] - cy) ** 2).max())
        clusters.append(
            DropCluster(
                label=int(label),
                size=int(members.size),
                lat=float(la[members].mean()),
                lon=float(lo[members].mean()),
                radius_m=radius,
                first_day=float(d[members].min()),
                last_day=float(d[members].max()),
                members=[int(m) for m in members],
            )
        )
    return DropClustering(labels=labels, clusters=clusters)


def nearest_distance_m(
    lat: npt.ArrayLike, lon: npt.ArrayLike, place_lat: npt.ArrayLike, place_lon: npt.ArrayLike
) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """Great-circle distance in metres from each point to the nearest place, and that place's index.

    Without places the distances are infinite and the indices -1."""
    la = np.radians(np.asarray(lat, dtype=np.float64))
    lo = np.radians(np.asarray(lon, dtype=np.float64))
    pla = np.radians(np.asarray(place_lat, dtype=np.float64))
    plo = np.radians(np.asarray(place_lon, dtype=np.float64))
    if pla.size == 0:
        return np.full(la.size, np.inf), np.full(la.size, -1, dtype=np.int64)
    tree = BallTree(np.column_stack([pla, plo]), metric="haversine")
    distance, index = tree.query(np.column_stack([la, lo]), k=1)
    return distance[:, 0] * EARTH_RADIUS_M, index[:, 0].astype(np.int64)
