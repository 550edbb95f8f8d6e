"""Synthetic drug-distribution networks, plate reads and dead drops, with their ground truth (no Django).

`links_build(seed, scale, as_of)` returns a :class:`LinksWorld`; `links_write(world, out)` writes it as
`links_cameras.csv`, `links_detections.csv`, `links_entities.csv`, `links_links.csv`, `links_drops.csv`,
`links_places.csv`, `links_posts.csv` and the truth, `truth_links.json`.

What is planted (all deterministic from the seed):

- **Traffic**: cameras around the city centre with Zipf popularity; commuters driving a fixed corridor of
  cameras at the morning and evening rush on weekdays (many commuters share a corridor, so they meet by
  chance); random trips weighted by the hour of the day; and **convoys**: pairs of vehicles making several
  trips together, a few to 40 seconds apart, each trip over different cameras.
- **Networks**: shops (Telegram channels) with an operator and couriers; each shop has a supplier (some
  suppliers serve two shops) paid by the couriers' cards, called from their phones and travelling with one
  of them; buyers paying couriers; a background population calling and paying each other; and "hubs" (a taxi
  dispatcher, a phone repairer) in touch with many couriers of every shop, the classic false lead.
- **Dead drops**: clusters of drops near a few spots over a few weeks, and scattered single drops; schools,
  colleges and parks.
- **Posts**: drug-selling posts in Uzbek and Russian with slang, spelling games, handles, wallets and cards,
  and ordinary posts (sales of phones, flats, services), half of each marked held-out.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

CITY_CENTRE = (41.3111, 69.2797)  # Tashkent
SCALES_LINKS: dict[str, dict[str, int]] = {
    # cameras, commuters, random trips a day, convoys, shops, background persons, days
    "test": {
        "cameras": 20,
        "commuters": 200,
        "trips": 300,
        "convoys": 4,
        "shops": 4,
        "background": 60,
        "days": 7,
    },
    "tiny": {
        "cameras": 60,
        "commuters": 1500,
        "trips": 2500,
        "convoys": 12,
        "shops": 8,
        "background": 400,
        "days": 14,
    },
    "region": {
        "cameras": 200,
        "commuters": 8000,
        "trips": 15000,
        "convoys": 30,
        "shops": 20,
        "background": 2000,
        "days": 30,
    },
    "nation": {
        "cameras": 600,
        "commuters": 60000,
        "trips": 120000,
        "convoys": 60,
        "shops": 60,
        "background": 10000,
        "days": 30,
    },
}
HOUR_PROFILE = np.array(
    [
        0.2,
        0.1,
        0.1,
        0.1,
        0.2,
        0.5,
        1.2,
        2.5,
        3.0,
        2.0,
        1.5,
        1.4,
        1.5,
        1.5,
        1.4,
        1.5,
        1.8,
        2.6,
        3.0,
        2.2,
        1.5,
        1.0,
        0.7,
        0.4,
    ]
)
TASHKENT_OFFSET = timedelta(hours=5)


@dataclass
class LinksWorld:
    cameras: list[dict[str, Any]] = field(default_factory=list)
    detections: dict[str, np.ndarray] = field(default_factory=dict)  # vehicle, camera, ts, event
    plates: list[str] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    drops: list[dict[str, Any]] = field(default_factory=list)
    places: list[dict[str, Any]] = field(default_factory=list)
    posts: list[dict[str, Any]] = field(default_factory=list)
    truth: dict[str, Any] = field(default_factory=dict)


def _plate(rng: np.random.Generator) -> str:
    letters = "ABCDEHKMOPTXYZ"
    region = int(rng.choice([1, 10, 20, 25, 30, 40, 50, 60, 70, 75, 80, 85, 90, 95]))
    return (
        f"{region:02d}{letters[rng.integers(len(letters))]}{rng.integers(1000):03d}"
        f"{letters[rng.integers(len(letters))]}{letters[rng.integers(len(letters))]}"
    )


def _luhn_complete(prefix15: str) -> str:
    total = 0
    for position, char in enumerate(reversed(prefix15)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return prefix15 + str((10 - total % 10) % 10)


def _card(rng: np.random.Generator) -> str:
    prefix = str(rng.choice(["8600", "9860", "5614"]))
    return _luhn_complete(prefix + "".join(str(d) for d in rng.integers(0, 10, 11)))


def _traffic(world: LinksWorld, rng: np.random.Generator, params: dict[str, int], start: datetime) -> None:
    n_cam = params["cameras"]
    angles = rng.uniform(0, 2 * np.pi, n_cam)
    radius = np.sqrt(rng.uniform(0, 1, n_cam)) * 0.08
    lat = CITY_CENTRE[0] + radius * np.sin(angles)
    lon = CITY_CENTRE[1] + radius * np.cos(angles) * 1.33
    popularity = 1.0 / np.arange(1, n_cam + 1) ** 0.8
    popularity = popularity[rng.permutation(n_cam)]
    popularity /= popularity.sum()
    world.cameras = [
        {
            "code": f"CAM-{i + 1:04d}",
            "name": f"Camera {i + 1}",
            "lat": round(float(lat[i]), 6),
            "lon": round(float(lon[i]), 6),
            "popularity": round(float(popularity[i]), 6),
        }
        for i in range(n_cam)
    ]
    days = params["days"]
    t0 = int(start.timestamp())
    vehicles: list[np.ndarray] = []
    cameras: list[np.ndarray] = []
    times: list[np.ndarray] = []
    plates: list[str] = []

    def new_vehicle() -> int:
        plates.append(_plate(rng))
        return len(plates) - 1

    # Commuters on shared corridors.
    n_corridors = max(5, params["commuters"] // 40)
    corridors = [
        rng.choice(n_cam, size=int(rng.integers(3, 7)), replace=False, p=popularity)
        for _ in range(n_corridors)
    ]
    for _ in range(params["commuters"]):
        vehicle = new_vehicle()
        corridor = corridors[int(rng.integers(n_corridors))]
        morning = 8 * 3600 + rng.normal(0, 1800)
        evening = 18 * 3600 + rng.normal(0, 2400)
        for day in range(days):
            if (start + timedelta(days=day)).weekday() >= 5 or rng.random() < 0.1:
                continue
            for departure, route in ((morning, corridor), (evening, corridor[::-1])):
                leave = departure + rng.normal(0, 600) - 5 * 3600  # Tashkent time to UTC
                gaps = rng.uniform(90, 360, len(route))
                stamps = t0 + day * 86400 + leave + np.cumsum(gaps)
                vehicles.append(np.full(len(route), vehicle))
                cameras.append(np.asarray(route))
                times.append(stamps.astype(np.int64))
    # Random trips weighted by the hour of the day.
    hour_p = HOUR_PROFILE / HOUR_PROFILE.sum()
    pool = [new_vehicle() for _ in range(params["trips"] // 3)]
    for day in range(days):
        n_trips = params["trips"]
        hours = rng.choice(24, size=n_trips, p=hour_p)
        for trip in range(n_trips):
            vehicle = pool[int(rng.integers(len(pool)))]
            length = int(rng.integers(2, 6))
            route = rng.choice(n_cam, size=length, replace=False, p=popularity)
            leave = day * 86400 + hours[trip] * 3600 + rng.uniform(0, 3600) - 5 * 3600
            stamps = t0 + leave + np.cumsum(rng.uniform(90, 480, length))
            vehicles.append(np.full(length, vehicle))
            cameras.append(route)
            times.append(stamps.astype(np.int64))
    # Convoys: pairs making trips together over different cameras.
    convoy_truth = []
    for _ in range(params["convoys"]):
        leader, follower = new_vehicle(), new_vehicle()
        trips = int(rng.integers(3, 8))
        for _trip in range(trips):
            day = int(rng.integers(days))
            length = int(rng.integers(3, 6))
            route = rng.choice(n_cam, size=length, replace=False, p=popularity)
            leave = day * 86400 + rng.choice(24, p=hour_p) * 3600 + rng.uniform(0, 3600) - 5 * 3600
            stamps = t0 + leave + np.cumsum(rng.uniform(90, 480, length))
            lag = rng.uniform(3, 40, length)
            vehicles += [np.full(length, leader), np.full(length, follower)]
            cameras += [route, route]
            times += [stamps.astype(np.int64), (stamps + lag).astype(np.int64)]
        convoy_truth.append(sorted([plates[leader], plates[follower]]))
    vehicle = np.concatenate(vehicles)
    camera = np.concatenate(cameras)
    ts = np.concatenate(times)
    order = np.argsort(ts, kind="stable")
    world.detections = {"vehicle": vehicle[order], "camera": camera[order], "ts": ts[order]}
    world.plates = plates
    world.truth["convoys"] = convoy_truth


def _network(world: LinksWorld, rng: np.random.Generator, params: dict[str, int], start: datetime) -> None:
    entities = world.entities
    links = world.links
    counter = {"n": 0}

    def entity(schema: str, **properties: Any) -> str:
        counter["n"] += 1
        ref = f"E{counter['n']:06d}"
        entities.append({"ref": ref, "schema": schema, **properties})
        return ref

    def link(schema: str, a: str, b: str, day: int, source: str) -> None:
        links.append(
            {
                "schema": schema,
                "source": a,
                "target": b,
                "date": (start + timedelta(days=day)).date().isoformat(),
                "evidence": source,
            }
        )

    days = params["days"]

    def person(name: str, *, vehicle: bool = False) -> dict[str, str]:
        ref = entity("Person", name=name)
        phone = entity("Phone", number=f"+99890{rng.integers(10**6, 10**7):07d}")
        card = entity("Card", card=_card(rng))
        link("owns", ref, phone, 0, "phone extraction")
        link("owns", ref, card, 0, "bank reply")
        out = {"person": ref, "phone": phone, "card": card, "name": name}
        if vehicle:
            plate = entity("Vehicle", plate=_plate(rng))
            link("owns", ref, plate, 0, "vehicle registry")
            out["vehicle"] = plate
        return out

    def contact(a: dict[str, str], b: dict[str, str], kind: str, times: int, source: str) -> None:
        for _ in range(times):
            day = int(rng.integers(days))
            if kind == "call":
                link("call", a["phone"], b["phone"], day, source)
            else:
                link("payment", a["card"], b["card"], day, source)

    background = [person(f"Resident {i + 1}") for i in range(params["background"])]
    for i, who in enumerate(background):
        for _ in range(int(rng.integers(1, 4))):
            other = background[int(rng.integers(len(background)))]
            if other is not who:
                contact(who, other, "call" if rng.random() < 0.6 else "payment", 1, "call records")
        del i
    hubs = [person(name) for name in ("Taxi dispatcher", "Phone repair", "Exchange kiosk")]
    n_shops = params["shops"]
    suppliers = [person(f"Supplier {i + 1}", vehicle=True) for i in range(max(1, (n_shops * 3) // 4))]
    shop_truth = []
    all_couriers = []
    for s in range(n_shops):
        handle = f"shop_{s + 1:02d}_{''.join(rng.choice(list('abcdefghkmnprstuvxz'), 4))}"
        shop = entity("Shop", name=f"Shop {s + 1}", handle=handle, platform="telegram")
        operator = person(f"Operator {s + 1}")
        account = entity("Account", handle=f"{handle}_op", platform="telegram")
        link("owns", operator["person"], account, 0, "platform reply")
        link("operates", account, shop, 0, "platform reply")
        supplier = suppliers[s % len(suppliers)]
        couriers = [person(f"Courier {s + 1}.{c + 1}", vehicle=True) for c in range(int(rng.integers(3, 7)))]
        all_couriers.extend(couriers)
        for courier in couriers:
            link("courier_for", courier["person"], shop, int(rng.integers(days)), "seizure interview")
        paying = rng.choice(len(couriers), size=min(len(couriers), int(rng.integers(2, 4))), replace=False)
        for index in paying:
            contact(couriers[int(index)], supplier, "payment", int(rng.integers(2, 5)), "bank reply")
        for index in rng.choice(len(couriers), size=2, replace=False):
            contact(couriers[int(index)], supplier, "call", int(rng.integers(1, 4)), "call records")
        contact(operator, supplier, "call", int(rng.integers(1, 3)), "call records")
        ride = couriers[int(rng.integers(len(couriers)))]
        link("co_travel", supplier["vehicle"], ride["vehicle"], int(rng.integers(days)), "co-travel analysis")
        buyers = [person(f"Buyer {s + 1}.{b + 1}") for b in range(int(rng.integers(15, 40)))]
        for buyer in buyers:
            courier = couriers[int(rng.integers(len(couriers)))]
            contact(buyer, courier, "payment", int(rng.integers(1, 3)), "bank reply")
            if rng.random() < 0.3:
                link("buyer_of", buyer["person"], shop, int(rng.integers(days)), "buyer interview")
        for courier in couriers:  # family and friends
            for _ in range(int(rng.integers(1, 4))):
                contact(courier, background[int(rng.integers(len(background)))], "call", 1, "call records")
        shop_truth.append(
            {"shop": handle, "suppliers": [supplier["name"]], "couriers": [c["name"] for c in couriers]}
        )
    for hub in hubs:
        for courier in all_couriers:
            if rng.random() < 0.7:
                contact(
                    hub,
                    courier,
                    "call" if hub["name"] != "Exchange kiosk" else "payment",
                    int(rng.integers(1, 4)),
                    "call records",
                )
        for _ in range(len(background) // 4):
            contact(hub, background[int(rng.integers(len(background)))], "call", 1, "call records")
    world.truth["shops"] = shop_truth


def _drops(world: LinksWorld, rng: np.random.Generator, params: dict[str, int], start: datetime) -> None:
    n_clusters = max(3, params["shops"] // 2)
    days = params["days"]
    clusters = []
    for c in range(n_clusters):
        lat = CITY_CENTRE[0] + rng.uniform(-0.06, 0.06)
        lon = CITY_CENTRE[1] + rng.uniform(-0.08, 0.08)
        first = int(rng.integers(0, max(1, days - 10)))
        size = int(rng.integers(6, 14))
        for _ in range(size):
            world.drops.append(
                {
                    "lat": round(lat + rng.normal(0, 0.0004), 6),
                    "lon": round(lon + rng.normal(0, 0.0005), 6),
                    "day": (start + timedelta(days=first + int(rng.integers(0, 8)))).date().isoformat(),
                    "description": "magnit, svetofor ostida" if rng.random() < 0.5 else "прикоп у дерева",
                    "cluster": c,
                }
            )
        clusters.append({"cluster": c, "lat": round(lat, 6), "lon": round(lon, 6), "size": size})
        # a school near half of the clusters
        if c % 2 == 0:
            world.places.append(
                {
                    "kind": "school",
                    "name": f"School {c + 1}",
                    "lat": round(lat + 0.002, 6),
                    "lon": round(lon, 6),
                }
            )
    for _ in range(n_clusters * 4):  # scattered single drops: noise
        world.drops.append(
            {
                "lat": round(CITY_CENTRE[0] + rng.uniform(-0.07, 0.07), 6),
                "lon": round(CITY_CENTRE[1] + rng.uniform(-0.09, 0.09), 6),
                "day": (start + timedelta(days=int(rng.integers(days)))).date().isoformat(),
                "description": "klad",
                "cluster": -1,
            }
        )
    for kind, count in (("school", 20), ("college", 6), ("park", 8)):
        for i in range(count):
            world.places.append(
                {
                    "kind": kind,
                    "name": f"{kind.title()} {100 + i}",
                    "lat": round(CITY_CENTRE[0] + rng.uniform(-0.07, 0.07), 6),
                    "lon": round(CITY_CENTRE[1] + rng.uniform(-0.09, 0.09), 6),
                }
            )
    world.truth["drop_clusters"] = clusters


DRUG_TEMPLATES = [
    "{drug} bor, {quality}. Toshkentda {drop}. Yozing {handle}",
    "Свежий {drug_ru}, {drop_ru} по всему городу. Оплата {pay}. Пишите {handle}",
    "{drug} {weight} gr - {price} ming. {drop}, karta {card}",
    "Работа курьером! {drop_ru}, оплата в {pay} каждый день. {handle}",
    "{drug_ru} {weight}г, моментальные {drop_ru}. USDT: {wallet}",
    "Yangi {drug}! {drop} Chilonzor, Yunusobod. Bot: {handle}",
    "{drug_ru} в наличии, {drop_ru}, координаты после оплаты. Карта {card}",
]
CLEAN_TEMPLATES = [
    "Sotiladi: iPhone 13, {price} ming. Tel {phone}",
    "Сдаю квартиру в Юнусабаде, {price}$ в месяц. Пишите {handle}",
    "Kurs: o'zbek tili va ingliz tili, {price} ming oyiga. {handle}",
    "Продам диван, самовывоз. Оплата на карту {card}",
    "Toshkent - Samarqand yo'lovchi olamiz, {price} ming. {phone}",
    "Куплю б/у ноутбук, пишите {handle}",
    "Yangi non, issiq somsa, yetkazib berish bor! {handle}",
    "Ищем курьера в службу доставки еды, оплата каждый день. {handle}",
    "Magnit va stikerlar sotiladi, ulgurji narxda. {handle}",
]


def _posts(world: LinksWorld, rng: np.random.Generator, slang: dict[str, list[str]]) -> None:
    def pick(words: list[str]) -> str:
        word = str(rng.choice(words))
        if rng.random() < 0.3:  # spelling games
            word = word.replace("a", "@").replace("а", "@") if rng.random() < 0.5 else " ".join(word)
        return word

    latin = [w for w in slang["drug"] if w.isascii()]
    cyr = [w for w in slang["drug"] if not w.isascii()]
    drop_latin = [w for w in slang["drop"] if w.isascii()]
    drop_cyr = [w for w in slang["drop"] if not w.isascii()]
    for n in range(600):
        drug = n % 2 == 0
        template = str(rng.choice(DRUG_TEMPLATES if drug else CLEAN_TEMPLATES))
        text = template.format(
            drug=pick(latin),
            drug_ru=pick(cyr),
            drop=pick(drop_latin),
            drop_ru=pick(drop_cyr),
            quality=str(rng.choice(["sifat zo'r", "a'lo", "toza"])),
            weight=int(rng.integers(1, 10)),
            price=int(rng.integers(50, 900)),
            pay=str(rng.choice(["BTC", "USDT", "карту"])),
            handle="@" + "".join(rng.choice(list("abcdefghkmnprstuvxz"), 6)) + "_bot",
            card=_card(rng),
            wallet="T"
            + "".join(rng.choice(list("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"), 33)),
            phone=f"+99890{rng.integers(10**6, 10**7):07d}",
        )
        world.posts.append({"text": text, "label": int(drug), "held_out": int(rng.random() < 0.5)})


def links_build(seed: int, scale: str, as_of: date, slang: dict[str, list[str]]) -> LinksWorld:
    if scale not in SCALES_LINKS:
        raise ValueError(f"unknown scale {scale!r}: expected one of {', '.join(SCALES_LINKS)}")
    params = SCALES_LINKS[scale]
    rng = np.random.default_rng([seed, 14])
    start = datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC) - timedelta(days=params["days"])
    world = LinksWorld()
    world.truth = {
        "seed": seed,
        "scale": scale,
        "as_of": as_of.isoformat(),
        "start": start.isoformat(),
        **params,
    }
    _traffic(world, rng, params, start)
    _network(world, rng, params, start)
    _drops(world, rng, params, start)
    _posts(world, rng, slang)
    return world


def _write_csv(path: Path, rows: list[dict[str, Any]], columns: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def links_write(world: LinksWorld, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    _write_csv(out / "links_cameras.csv", world.cameras, ["code", "name", "lat", "lon", "popularity"])
    d = world.detections
    with (out / "links_detections.csv").open("w", encoding="utf-8", newline="") as handle:
        handle.write("event_id,camera,plate,observed_at\n")
        for n, (v, c, t) in enumerate(
            zip(d["vehicle"].tolist(), d["camera"].tolist(), d["ts"].tolist(), strict=True)
        ):
            stamp = datetime.fromtimestamp(t, tz=UTC).isoformat()
            handle.write(f"det-{n:08d},{world.cameras[c]['code']},{world.plates[v]},{stamp}\n")
    columns = sorted({key for row in world.entities for key in row})
    _write_csv(out / "links_entities.csv", world.entities, columns)
    _write_csv(out / "links_links.csv", world.links, ["schema", "source", "target", "date", "evidence"])
    _write_csv(out / "links_drops.csv", world.drops, ["lat", "lon", "day", "description", "cluster"])
    _write_csv(out / "links_places.csv", world.places, ["kind", "name", "lat", "lon"])
    _write_csv(out / "links_posts.csv", world.posts, ["text", "label", "held_out"])
    (out / "truth_links.json").write_text(json.dumps(world.truth, sort_keys=True, indent=1), encoding="utf-8")
