"""Access matrix rows of the territory API and the territory admin (see mahalla/core/access_matrix.py).

Territory rows are visible inside the scope and above it (a district chief sees its district and its
region, never a district of another region)."""

from __future__ import annotations

from mahalla.core.access_matrix import Call, Route, admin_routes

ROUTES: list[Route] = [
    Route("territory:region-list", territorial=False),
    Route("territory:region-detail", build=lambda place: Call(kwargs={"code": place.region.code})),
    Route("territory:district-list", territorial=False),
    Route("territory:district-detail", build=lambda place: Call(kwargs={"code": place.district.code})),
    Route("territory:mahalla-list", territorial=False),
    Route("territory:mahalla-detail", build=lambda place: Call(kwargs={"code": place.mahalla.code})),
    # Reference data: the admin is for country-wide administrators only (none in the matrix's districts).
    *admin_routes("territory", "region"),
    *admin_routes("territory", "district"),
    *admin_routes("territory", "mahalla"),
    *admin_routes("territory", "lawandorderpost"),
]
