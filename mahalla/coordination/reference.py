"""Reference data of coordination: task types with their service levels, the oversight rules and the
training catalogue. Loaded by a data migration (idempotent, by key) and editable in the admin afterwards."""

from __future__ import annotations

from typing import Any

TASK_TYPES: list[dict[str, Any]] = [
    {
        "key": "mahalla-visit",
        "name_en": "Joint visit to a mahalla",
        "name_uz": "Mahallaga qo'shma tashrif",
        "name_ru": "Совместный выезд в махаллю",
        "accept_days": 2,
        "complete_days": 10,
    },
    {
        "key": "measure-support",
        "name_en": "Support for a roadmap measure",
        "name_uz": "Yo'l xaritasi chorasini qo'llab-quvvatlash",
        "name_ru": "Содействие мере дорожной карты",
        "accept_days": 2,
        "complete_days": 20,
    },
    {
        "key": "social-assistance",
        "name_en": "Social assistance for a person",
        "name_uz": "Shaxsga ijtimoiy yordam",
        "name_ru": "Социальная помощь лицу",
        "accept_days": 1,
        "complete_days": 14,
    },
    {
        "key": "employment",
        "name_en": "Employment of a person",
        "name_uz": "Shaxsni ishga joylashtirish",
        "name_ru": "Трудоустройство лица",
        "accept_days": 2,
        "complete_days": 30,
    },
    {
        "key": "block-request",
        "name_en": "Blocking of cards, numbers or sites",
        "name_uz": "Karta, raqam yoki saytni bloklash",
        "name_ru": "Блокировка карт, номеров или сайтов",
        "accept_days": 1,
        "complete_days": 3,
    },
    {
        "key": "network-disruption",
        "name_en": "Disruption of a drug network",
        "name_uz": "Giyohvandlik tarmog'ini bartaraf etish",
        "name_ru": "Пресечение наркосети",
        "accept_days": 1,
        "complete_days": 30,
    },
    {
        "key": "council-decision",
        "name_en": "Decision of the coordination council",
        "name_uz": "Muvofiqlashtiruvchi kengash qarori",
        "name_ru": "Решение координационного совета",
        "accept_days": 3,
        "complete_days": 30,
    },
]

# Each rule's key names a check in coordination/oversight.py; thresholds are parameters (data).
OVERSIGHT_RULES: list[dict[str, Any]] = [
    {
        "key": "task-past-deadline",
        "name_en": "Inter-agency tasks past their deadline",
        "name_uz": "Muddati o'tgan idoralararo topshiriqlar",
        "name_ru": "Межведомственные поручения с истёкшим сроком",
        "legal_basis": "Law on Prevention of Offences (2014): coordination by the prosecutor's office",
        "legal_basis_uz": (
            "Huquqbuzarliklar profilaktikasi to'g'risidagi qonun (2014): prokuratura tomonidan "
            "muvofiqlashtirish"
        ),
        "legal_basis_ru": "Закон о профилактике правонарушений (2014): координация органами прокуратуры",
        "parameters": {"grace_days": 0},
    },
    {
        "key": "measure-overdue",
        "name_en": "Roadmap measures overdue",
        "name_uz": "Muddati o'tgan yo'l xaritasi choralari",
        "name_ru": "Просроченные меры дорожных карт",
        "legal_basis": "Annual presidential resolution on crime-free mahallas: targeted roadmaps",
        "legal_basis_uz": (
            "Jinoyatchiliksiz mahallalar to'g'risidagi yillik Prezident qarori: manzilli yo'l xaritalari"
        ),
        "legal_basis_ru": (
            "Ежегодное постановление Президента о махаллях без преступности: адресные дорожные карты"
        ),
        "parameters": {"grace_days": 0},
    },
    {
        "key": "person-read-without-purpose",
        "name_en": "Reads of person records without a stated purpose",
        "name_uz": "Maqsadi ko'rsatilmagan shaxs ma'lumotlarini o'qish",
        "name_ru": "Просмотр данных лиц без указания цели",
        "legal_basis": "Law on Personal Data (2019), art. 8: purpose limitation",
        "legal_basis_uz": "Shaxsga doir ma'lumotlar to'g'risidagi qonun (2019), 8-modda: maqsadni cheklash",
        "legal_basis_ru": "Закон о персональных данных (2019), ст. 8: ограничение цели",
        "parameters": {"days": 30, "object_types": ["incidents.offence", "cases.person"]},
    },
    {
        "key": "person-read-volume",
        "name_en": "Person records read at unusual volume",
        "name_uz": "Shaxs ma'lumotlarini odatdan tashqari ko'p o'qish",
        "name_ru": "Необычно большой объём просмотров данных лиц",
        "legal_basis": "Law on Personal Data (2019), art. 8 and 27: need to know",
        "legal_basis_uz": (
            "Shaxsga doir ma'lumotlar to'g'risidagi qonun (2019), 8 va 27-moddalar: bilish zarurati"
        ),
        "legal_basis_ru": "Закон о персональных данных (2019), ст. 8 и 27: необходимость знать",
        "parameters": {"days": 30, "per_day": 200, "object_types": ["incidents.offence", "cases.person"]},
    },
    # The casework registers (mahalla.cases): checks in coordination/oversight.py, on the registers' rows.
    {
        "key": "protection-order-late",
        "name_en": "Protection orders issued after 24 hours",
        "name_uz": "24 soatdan keyin berilgan himoya orderlari",
        "name_ru": "Охранные ордера, выданные позже 24 часов",
        "legal_basis": (
            "Law No. ZRU-561 of 2 September 2019 On the Protection of Women from Harassment and Violence: "
            "the order within 24 hours of the report"
        ),
        "legal_basis_uz": (
            "2019-yil 2-sentabrdagi O'RQ-561-son Xotin-qizlarni tazyiq va zo'ravonlikdan himoya qilish "
            "to'g'risidagi "
            "qonun: murojaatdan keyin 24 soat ichida himoya orderi"
        ),
        "legal_basis_ru": (
            "Закон от 2 сентября 2019 года № ЗРУ-561 «О защите женщин от притеснения и насилия»: "
            "охранный ордер "
            "в течение 24 часов после обращения"
        ),
        "parameters": {"hours": 24},
    },
    {
        "key": "checkin-not-held",
        "name_en": "Supervision check-ins not held",
        "name_uz": "O'tkazilmagan ma'muriy nazorat uchrashuvlari",
        "name_ru": "Непроведённые явки под административным надзором",
        "legal_basis": (
            "Law of 2 April 2019 On Administrative Supervision of Persons Released from Places of "
            "Deprivation of Liberty: reporting to the police 1-4 times a month"
        ),
        "legal_basis_uz": (
            "Ozodlikdan mahrum etish joylaridan ozod qilingan shaxslar ustidan ma'muriy nazorat "
            "to'g'risidagi 2019-yil "
            "2-apreldagi qonun: oyiga 1-4 marta ichki ishlar organiga kelib turish"
        ),
        "legal_basis_ru": (
            "Закон от 2 апреля 2019 года «Об административном надзоре за лицами, освобождёнными из "
            "мест лишения "
            "свободы»: явка в органы внутренних дел 1-4 раза в месяц"
        ),
        "parameters": {"grace_days": 0},
    },
    {
        "key": "conclusion-overdue",
        "name_en": "Social-prevention conclusions overdue",
        "name_uz": "Muddati o'tgan ijtimoiy profilaktika xulosalari",
        "name_ru": "Просроченные заключения социальной профилактики",
        "legal_basis": "Law No. ZRU-371 of 14 May 2014 On the Prevention of Offences: individual prevention",
        "legal_basis_uz": (
            "2014-yil 14-maydagi O'RQ-371-son Huquqbuzarliklar profilaktikasi to'g'risidagi qonun: "
            "yakka tartibdagi profilaktika"
        ),
        "legal_basis_ru": (
            "Закон от 14 мая 2014 года № ЗРУ-371 «О профилактике правонарушений»: индивидуальная профилактика"
        ),
        "parameters": {"grace_days": 0},
    },
    {
        "key": "register-entry-past-term",
        "name_en": "Register entries past their term",
        "name_uz": "Muddati o'tgan hisob yozuvlari",
        "name_ru": "Записи учёта с истёкшим сроком",
        "legal_basis": (
            "Law No. ZRU-371 of 14 May 2014 On the Prevention of Offences, art. 29: the preventive register "
            "for the term of the decision"
        ),
        "legal_basis_uz": (
            "2014-yil 14-maydagi O'RQ-371-son Huquqbuzarliklar profilaktikasi to'g'risidagi qonun, 29-modda: "
            "qaror muddatiga profilaktik hisob"
        ),
        "legal_basis_ru": (
            "Закон от 14 мая 2014 года № ЗРУ-371 «О профилактике правонарушений», ст. 29: "
            "профилактический учёт "
            "на срок решения"
        ),
        "parameters": {"grace_days": 0},
    },
]

COURSES: list[dict[str, Any]] = [
    {
        "key": "cyber-fraud",
        "topic": "cyber_fraud",
        "title_en": "Card and online fraud: reports, indicators, blocking",
        "title_uz": "Karta va onlayn firibgarlik: arizalar, belgilar, bloklash",
        "title_ru": "Карточное и онлайн-мошенничество: заявления, индикаторы, блокировка",
        "hours": 16,
    },
    {
        "key": "domestic-violence",
        "topic": "domestic_violence",
        "title_en": "Domestic violence: protection orders within 24 hours",
        "title_uz": "Oilaviy zo'ravonlik: 24 soat ichida himoya orderi",
        "title_ru": "Домашнее насилие: охранный ордер в течение 24 часов",
        "hours": 8,
    },
    {
        "key": "casework",
        "topic": "casework",
        "title_en": "Social-prevention conclusions and casework",
        "title_uz": "Ijtimoiy profilaktika xulosalari va ish yuritish",
        "title_ru": "Заключения социальной профилактики и ведение дел",
        "hours": 8,
    },
    {
        "key": "drugs",
        "topic": "drugs",
        "title_en": "Online drug shops, couriers and dead drops",
        "title_uz": "Onlayn giyohvandlik do'konlari, kuryerlar va yashirin joylar",
        "title_ru": "Онлайн-наркомагазины, курьеры и закладки",
        "hours": 16,
    },
    {
        "key": "juvenile",
        "topic": "juvenile",
        "title_en": "Prevention work with minors",
        "title_uz": "Voyaga yetmaganlar bilan profilaktika ishi",
        "title_ru": "Профилактическая работа с несовершеннолетними",
        "hours": 8,
    },
    {
        "key": "roadmaps",
        "topic": "roadmaps",
        "title_en": "Targeted roadmaps: measures, deadlines, effect",
        "title_uz": "Manzilli yo'l xaritalari: choralar, muddatlar, samara",
        "title_ru": "Адресные дорожные карты: меры, сроки, эффект",
        "hours": 6,
    },
    {
        "key": "tactical",
        "topic": "tactical",
        "title_en": "Tactical training",
        "title_uz": "Taktik tayyorgarlik",
        "title_ru": "Тактическая подготовка",
        "hours": 16,
    },
    {
        "key": "psychological",
        "topic": "psychological",
        "title_en": "Psychological training",
        "title_uz": "Psixologik tayyorgarlik",
        "title_ru": "Психологическая подготовка",
        "hours": 8,
    },
]


def load(apps: Any, schema_editor: Any) -> None:
    """Create or update the reference rows by key (idempotent; also reloaded after a test flush)."""
    for model_name, rows in (
        ("TaskType", TASK_TYPES),
        ("OversightRule", OVERSIGHT_RULES),
        ("Course", COURSES),
    ):
        model = apps.get_model("coordination", model_name)
        # Only the columns of the migration's historical model: an earlier migration runs this loader before
        # the later fields (the legal basis in uz/ru, 0004) exist, and 0004 fills them.
        columns = {field.name for field in model._meta.get_fields()}
        for row in rows:
            values = {k: v for k, v in row.items() if k != "key" and k in columns}
            model.objects.update_or_create(key=row["key"], defaults=values)


# Training needs: which course a post needs when a measured result of the mahallas it answers for crosses a
# threshold (DOMAIN.md section 1.9: training adapted to new threats). Metrics are computed in training.py.
TRAINING_NEED_RULES: list[dict[str, Any]] = [
    {
        "course": "cyber-fraud",
        "metric": "cyber_share_rise",
        "threshold": 0.03,
        "posts": ["cyber_officer", "investigator", "preventive_inspector", "chief"],
    },
    {
        "course": "cyber-fraud",
        "metric": "cyber_share",
        "threshold": 0.5,
        "posts": ["cyber_officer", "investigator", "preventive_inspector"],
    },
    {
        "course": "domestic-violence",
        "metric": "family_share",
        "threshold": 0.08,
        "posts": ["preventive_inspector", "womens_inspector", "mahalla_seven"],
    },
    {
        "course": "drugs",
        "metric": "drug_crimes",
        "threshold": 3,
        "posts": ["drug_officer", "investigator", "preventive_inspector"],
    },
    {
        "course": "juvenile",
        "metric": "minors_share",
        "threshold": 0.1,
        "posts": ["preventive_inspector", "mahalla_seven"],
    },
    {
        "course": "roadmaps",
        "metric": "own_overdue_measures",
        "threshold": 1,
        "posts": ["chief", "preventive_inspector", "mahalla_seven", "specialist"],
    },
    {
        "course": "casework",
        "metric": "own_overdue_tasks",
        "threshold": 1,
        "posts": ["preventive_inspector", "womens_inspector", "mahalla_seven", "specialist"],
    },
]
