"""Synthetic cybercrime reports with planted campaigns (plain Python and numpy, no Django).

Scale: DOMAIN.md 8 gives about 58,800 IT crimes in 2024; the nation scale draws ``58,000`` reports a year, the
smaller scales proportionally fewer (``REPORTS_PER_YEAR``). The method mix follows DOMAIN.md 8 (60 % links or
APK, 16 % SMS codes, 11 % marketplace, 9 % investment, 4 % loans).

Planted truth, all written to the truth rows:

- campaigns (``CAMPAIGN_SHARE`` of the reports): each has a pool of indicators of its method (phones, cards of
  the national schemes, look-alike domains of protected brands incl. mixed-script ones, Telegram handles,
  TRON wallets, APK names) and one message template; each of its reports names one or two pool values in
  free text (formatted as victims write them: with spaces, dashes, defanged links) and usually quotes the
  message; about 15 % quote the message only (found through text similarity);
- hub values that must not link: the warning list's bank hotlines, 102 line, t.me and genuine marketplaces,
  sprinkled over every kind of report;
- noise reports, each with its own unique values and a free text.

The texts are in Uzbek Latin, Uzbek Cyrillic, Russian and English. Every draw comes from ``seed``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mahalla.cyber.formats import REPORT_COLUMNS

from .transliterate import latin_to_cyrillic

REPORTS_PER_YEAR = {"tiny": 1500, "region": 6000, "nation": 58000}
CAMPAIGN_SHARE = 0.6
METHOD_SHARES = {
    "malicious_link": 0.60,
    "sms_code": 0.16,
    "marketplace": 0.11,
    "investment": 0.09,
    "loan": 0.04,
}
LANGUAGE_SHARES = {"uz": 0.5, "uz-cyrl": 0.15, "ru": 0.3, "en": 0.05}
CHANNEL_BY_METHOD = {
    "malicious_link": ["telegram", "telegram", "telegram", "sms", "website", "app"],
    "sms_code": ["call", "call", "sms", "telegram"],
    "marketplace": ["marketplace", "marketplace", "telegram"],
    "investment": ["telegram", "website", "app"],
    "loan": ["app", "website", "call"],
}
HUB_VALUES = [
    "+998 78 150 00 00",
    "+998 71 200 01 02",
    "+998 78 147 47 47",
    "t.me",
    "olx.uz",
    "uzum.uz",
    "click.uz",
]
BRANDS = [
    "payme",
    "click",
    "uzum",
    "olx",
    "kapitalbank",
    "hamkorbank",
    "agrobank",
    "paynet",
    "humo",
    "uzcard",
]
TLDS = ["xyz", "site", "top", "online", "click", "info", "live", "shop", "icu", "pro"]
OPERATOR_CODES = ["90", "91", "93", "94", "95", "97", "98", "99", "33", "88", "77", "50"]
HOMOGLYPHS = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у"}
AGE_GROUPS = ["18_29", "30_44", "45_59", "60_plus", "under_18", ""]
AGE_WEIGHTS = [0.3, 0.3, 0.2, 0.12, 0.05, 0.03]
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ra",
    "su",
    "te",
    "no",
    "za",
    "bi",
    "do",
    "fu",
    "ge",
    "ho",
    "ju",
    "ve",
    "xo",
    "ya",
]

# Message fragments per method and language: a campaign's template is one fragment of each slot plus words of
# its own, so that two campaigns rarely share a template.
FRAGMENTS: dict[str, dict[str, list[list[str]]]] = {
    "malicious_link": {
        "uz": [
            [
                "Tabriklaymiz!",
                "Hurmatli mijoz!",
                "Diqqat, aksiya!",
                "Assalomu alaykum!",
                "Siz g'olib bo'ldingiz!",
                "Muhim xabar!",
                "Sovg'a sizni kutmoqda!",
                "Bayram aksiyasi!",
                "Yutuqli o'yin!",
                "Bepul sovg'a!",
            ],
            [
                "Siz {prize} yutib oldingiz.",
                "Sizga {prize} ajratildi.",
                "Hisobingizga {prize} tushdi.",
                "Siz {prize} sovrinini qo'lga kiritdingiz.",
                "Sizning raqamingiz {prize} o'yinida yutdi.",
                "Sizga {prize} bonus berildi.",
                "Siz {prize} tanlovida tanlandingiz.",
                "Sizga {prize} hadya qilindi.",
                "Bugun {prize} tarqatilmoqda.",
                "Sizda {prize} olish imkoniyati bor.",
            ],
            [
                "Olish uchun havolaga kiring:",
                "Tasdiqlash uchun saytga o'ting:",
                "Ilovani yuklab oling:",
                "Karta ma'lumotlarini kiriting:",
                "Shoshiling, havola:",
                "Ro'yxatdan o'ting:",
                "Batafsil:",
                "Sovg'ani olish:",
                "Hoziroq bosing:",
                "Faqat bugun:",
            ],
            [
                "{link}",
                "{link}",
                "{link}",
                "{link}",
                "{link}",
                "{link}",
                "{link}",
                "{link}",
                "{link}",
                "{link}",
            ],
            [
                "Muddat 24 soat.",
                "Taklif cheklangan.",
                "Kodni hech kimga bermang.",
                "Vaqt tugayapti.",
                "Faqat siz uchun.",
                "Omad!",
                "Kuting.",
                "Tez bo'ling.",
                "Rahmat.",
                "Xabarni o'chirmang.",
            ],
        ],
        "ru": [
            [
                "Поздравляем!",
                "Уважаемый клиент!",
                "Внимание, акция!",
                "Здравствуйте!",
                "Вы победитель!",
                "Важное сообщение!",
                "Вас ждёт подарок!",
                "Праздничная акция!",
                "Розыгрыш!",
                "Бесплатный подарок!",
            ],
            [
                "Вы выиграли {prize}.",
                "Вам начислен {prize}.",
                "На ваш счёт поступил {prize}.",
                "Вы получили приз {prize}.",
                "Ваш номер выиграл {prize}.",
                "Вам подарен {prize}.",
                "Вы выбраны для получения {prize}.",
                "Вам положен {prize}.",
                "Сегодня раздаём {prize}.",
                "У вас есть шанс получить {prize}.",
            ],
            [
                "Для получения перейдите по ссылке:",
                "Подтвердите на сайте:",
                "Установите приложение:",
                "Введите данные карты:",
                "Спешите, ссылка:",
                "Зарегистрируйтесь:",
                "Подробнее:",
                "Забрать подарок:",
                "Нажмите сейчас:",
                "Только сегодня:",
            ],
            [
                "{link}",
                "{link}",
                "{link}",
                "{link}",
                "{link}",
                "{link}",
                "{link}",
                "{link}",
                "{link}",
                "{link}",
            ],
            [
                "Срок 24 часа.",
                "Предложение ограничено.",
                "Никому не сообщайте код.",
                "Время истекает.",
                "Только для вас.",
                "Удачи!",
                "Ждём.",
                "Торопитесь.",
                "Спасибо.",
                "Не удаляйте сообщение.",
            ],
        ],
        "en": [
            ["Congratulations!", "Dear customer!", "Attention!", "Hello!", "You are a winner!"],
            [
                "You have won {prize}.",
                "A {prize} is waiting for you.",
                "You received {prize}.",
                "Your number won {prize}.",
                "Claim your {prize}.",
            ],
            [
                "Follow the link:",
                "Confirm on the site:",
                "Install the app:",
                "Enter your card details:",
                "Hurry:",
            ],
            ["{link}", "{link}", "{link}", "{link}", "{link}"],
            ["Valid 24 hours.", "Limited offer.", "Do not share the code.", "Good luck!", "Thank you."],
        ],
    },
    "sms_code": {
        "uz": [
            ["Assalomu alaykum,", "Hurmatli mijoz,", "Salom,", "Diqqat,", "Xayrli kun,"],
            [
                "men {bank} xavfsizlik bo'limidanman.",
                "{bank} call-markazidan qo'ng'iroq qilyapman.",
                "kartangiz {bank} tomonidan bloklandi.",
                "{bank} tizimida shubhali operatsiya bor.",
                "{bank} kartangizni yangilash kerak.",
            ],
            [
                "Telefoningizga kelgan kodni ayting.",
                "SMS kodni shu raqamga yuboring:",
                "Kodni aytsangiz blok ochiladi.",
                "Tasdiqlash kodini ayting.",
                "Kelgan 6 xonali kodni yuboring.",
            ],
            ["{phone}", "{phone}", "{phone}", "{phone}", "{phone}"],
            [
                "Aks holda pulingiz yo'qoladi.",
                "Bu xavfsizlik uchun.",
                "Tezroq bo'ling.",
                "Rahmat.",
                "Kechiktirmang.",
            ],
        ],
        "ru": [
            ["Здравствуйте,", "Уважаемый клиент,", "Добрый день,", "Внимание,", "Алло,"],
            [
                "я из службы безопасности {bank}.",
                "звоню из колл-центра {bank}.",
                "ваша карта заблокирована {bank}.",
                "в системе {bank} подозрительная операция.",
                "карту {bank} нужно обновить.",
            ],
            [
                "Назовите код из SMS.",
                "Отправьте код на этот номер:",
                "Скажите код, и блок снимут.",
                "Продиктуйте код подтверждения.",
                "Пришлите шестизначный код.",
            ],
            ["{phone}", "{phone}", "{phone}", "{phone}", "{phone}"],
            [
                "Иначе деньги пропадут.",
                "Это для вашей безопасности.",
                "Поторопитесь.",
                "Спасибо.",
                "Не откладывайте.",
            ],
        ],
        "en": [
            ["Hello,", "Dear customer,", "Good day,", "Attention,", "Hi,"],
            [
                "this is {bank} security.",
                "calling from {bank} support.",
                "your {bank} card is blocked.",
                "a suspicious payment at {bank}.",
                "your {bank} card must be renewed.",
            ],
            [
                "Tell me the SMS code.",
                "Send the code to this number:",
                "Say the code to unblock.",
                "Read out the confirmation code.",
                "Send the six-digit code.",
            ],
            ["{phone}", "{phone}", "{phone}", "{phone}", "{phone}"],
            ["Or you lose your money.", "It is for your safety.", "Hurry.", "Thanks.", "Do not delay."],
        ],
    },
    "marketplace": {
        "uz": [
            ["Salom,", "Assalomu alaykum,", "Xayrli kun,", "Hurmatli sotuvchi,", "Salom aka,"],
            [
                "e'loningizdagi {item} uchun pul o'tkazdim.",
                "{item} ni sotib olaman, yetkazib berish bilan.",
                "{item} uchun to'lov qildim.",
                "{item} bron qilindi.",
                "{item} ga oldindan to'lov qiling.",
            ],
            [
                "Pulni olish uchun havolaga kiring:",
                "Yetkazib berish sahifasi:",
                "Kartangizni tasdiqlang:",
                "To'lovni qabul qiling:",
                "Buyurtma sahifasi:",
            ],
            ["{link}", "{link}", "{link}", "{link}", "{link}"],
            ["Kuryer ertaga keladi.", "Rahmat.", "Kutaman.", "Tezroq javob bering.", "Kelishdik."],
        ],
        "ru": [
            ["Здравствуйте,", "Добрый день,", "Привет,", "Уважаемый продавец,", "Здравствуйте, брат,"],
            [
                "перевёл деньги за {item} из объявления.",
                "куплю {item} с доставкой.",
                "оплатил {item}.",
                "{item} забронирован.",
                "внесите предоплату за {item}.",
            ],
            [
                "Чтобы получить деньги, перейдите по ссылке:",
                "Страница доставки:",
                "Подтвердите карту:",
                "Примите оплату:",
                "Страница заказа:",
            ],
            ["{link}", "{link}", "{link}", "{link}", "{link}"],
            ["Курьер приедет завтра.", "Спасибо.", "Жду.", "Ответьте быстрее.", "Договорились."],
        ],
        "en": [
            ["Hello,", "Good day,", "Hi,", "Dear seller,", "Hey,"],
            [
                "I paid for your {item}.",
                "I will buy the {item} with delivery.",
                "payment for {item} is sent.",
                "the {item} is reserved.",
                "prepay for the {item}.",
            ],
            [
                "Receive the money here:",
                "Delivery page:",
                "Confirm your card:",
                "Accept the payment:",
                "Order page:",
            ],
            ["{link}", "{link}", "{link}", "{link}", "{link}"],
            ["The courier comes tomorrow.", "Thanks.", "Waiting.", "Answer soon.", "Deal."],
        ],
    },
    "investment": {
        "uz": [
            [
                "Kuniga 300$ daromad!",
                "Kriptovalyutaga investitsiya!",
                "Passiv daromad!",
                "Birja signallari!",
                "Ishonchli investitsiya!",
            ],
            [
                "{prize} loyihasiga qo'shiling.",
                "{prize} platformasi 30% foyda beradi.",
                "{prize} bilan pulingizni ko'paytiring.",
                "{prize} kanalida signallar.",
                "{prize} fondiga kiring.",
            ],
            ["Kanal:", "Ro'yxatdan o'tish:", "Admin:", "Hamyonga USDT yuboring:", "Batafsil:"],
            ["{handle}", "{link}", "{wallet}", "{handle}", "{link}"],
            ["Joylar cheklangan.", "Kafolatlangan foyda.", "Bugun boshlang.", "Risk yo'q.", "Omad!"],
        ],
        "ru": [
            [
                "Доход 300$ в день!",
                "Инвестиции в криптовалюту!",
                "Пассивный доход!",
                "Сигналы биржи!",
                "Надёжные инвестиции!",
            ],
            [
                "Присоединяйтесь к проекту {prize}.",
                "Платформа {prize} даёт 30% прибыли.",
                "Умножьте деньги с {prize}.",
                "Сигналы в канале {prize}.",
                "Вступайте в фонд {prize}.",
            ],
            ["Канал:", "Регистрация:", "Админ:", "Отправьте USDT на кошелёк:", "Подробнее:"],
            ["{handle}", "{link}", "{wallet}", "{handle}", "{link}"],
            ["Места ограничены.", "Гарантированная прибыль.", "Начните сегодня.", "Без риска.", "Удачи!"],
        ],
        "en": [
            [
                "Earn 300$ a day!",
                "Crypto investment!",
                "Passive income!",
                "Trading signals!",
                "Safe investment!",
            ],
            [
                "Join the {prize} project.",
                "{prize} pays 30% profit.",
                "Grow your money with {prize}.",
                "Signals in the {prize} channel.",
                "Join the {prize} fund.",
            ],
            ["Channel:", "Register:", "Admin:", "Send USDT to the wallet:", "More:"],
            ["{handle}", "{link}", "{wallet}", "{handle}", "{link}"],
            ["Places are limited.", "Guaranteed profit.", "Start today.", "No risk.", "Good luck!"],
        ],
    },
    "loan": {
        "uz": [
            ["Tezkor kredit!", "Onlayn qarz!", "Mikroqarz!", "Kredit tasdiqlandi!", "Foizsiz qarz!"],
            [
                "{prize} orqali 10 daqiqada pul oling.",
                "{prize} sizga kredit ajratdi.",
                "{prize} ilovasida pasport ma'lumotlarini kiriting.",
                "{prize} dan qarz oling.",
                "{prize} kreditni tasdiqladi.",
            ],
            ["Ariza:", "Ilova:", "Operator:", "Batafsil:", "Kiring:"],
            ["{link}", "{phone}", "{link}", "{link}", "{phone}"],
            ["Kafilsiz.", "Faqat pasport.", "Bugun.", "Tez.", "Ishonchli."],
        ],
        "ru": [
            ["Быстрый кредит!", "Онлайн заём!", "Микрозайм!", "Кредит одобрен!", "Заём без процентов!"],
            [
                "Получите деньги за 10 минут в {prize}.",
                "{prize} одобрил вам кредит.",
                "Введите паспортные данные в приложении {prize}.",
                "Займите в {prize}.",
                "{prize} подтвердил кредит.",
            ],
            ["Заявка:", "Приложение:", "Оператор:", "Подробнее:", "Войдите:"],
            ["{link}", "{phone}", "{link}", "{link}", "{phone}"],
            ["Без поручителей.", "Только паспорт.", "Сегодня.", "Быстро.", "Надёжно."],
        ],
        "en": [
            ["Fast loan!", "Online loan!", "Microloan!", "Loan approved!", "Zero-interest loan!"],
            [
                "Get money in 10 minutes with {prize}.",
                "{prize} approved your loan.",
                "Enter your passport data in the {prize} app.",
                "Borrow from {prize}.",
                "{prize} confirmed your loan.",
            ],
            ["Apply:", "App:", "Operator:", "More:", "Sign in:"],
            ["{link}", "{phone}", "{link}", "{link}", "{phone}"],
            ["No guarantor.", "Passport only.", "Today.", "Fast.", "Reliable."],
        ],
    },
}

NARRATIVES: dict[str, dict[str, list[str]]] = {
    "malicious_link": {
        "uz": [
            "Telegramda havola keldi, bosgandim kartamdan pul yechildi.",
            "Sovg'a haqida xabar keldi, saytga karta ma'lumotlarini kiritdim, pulim yo'qoldi.",
            "Ilovani yuklab o'rnatdim, keyin kartamdan pul o'tkazib yuborildi.",
        ],
        "ru": [
            "В Telegram пришла ссылка, я перешёл, и с карты списали деньги.",
            "Пришло сообщение о подарке, ввёл данные карты на сайте, деньги пропали.",
            "Установил приложение, после этого с карты перевели деньги.",
        ],
        "en": [
            "I got a link on Telegram, clicked it and money left my card.",
            "A prize message came, I entered my card on the site and lost money.",
        ],
    },
    "sms_code": {
        "uz": [
            "Bank xodimi deb qo'ng'iroq qilishdi, SMS kodni aytdim, kartamdan pul yechildi.",
            "Kartangiz bloklandi deyishdi, kelgan kodni aytib qo'ydim.",
        ],
        "ru": [
            "Позвонили якобы из банка, я назвал код из SMS, с карты сняли деньги.",
            "Сказали, что карта заблокирована, я продиктовал код.",
        ],
        "en": ["Someone posing as the bank called, I told the SMS code and money was taken."],
    },
    "marketplace": {
        "uz": [
            "OLXda e'lon berdim, xaridor havola yubordi, karta ma'lumotlarini kiritdim va pul yechildi.",
            "Internetda tovar uchun oldindan to'lov qildim, tovar kelmadi, sotuvchi yo'qoldi.",
        ],
        "ru": [
            "Разместил объявление, покупатель прислал ссылку, ввёл карту, деньги списали.",
            "Внёс предоплату за товар в интернете, товар не пришёл, продавец пропал.",
        ],
        "en": ["I sold an item online, the buyer sent a link, I entered my card and lost money."],
    },
    "investment": {
        "uz": [
            "Telegram kanalda investitsiya taklif qilishdi, pul o'tkazdim, qaytarishmadi.",
            "Kriptobirjaga pul kiritdim, foyda ko'rsatishdi, lekin yechib bo'lmadi.",
        ],
        "ru": [
            "В Telegram-канале предложили инвестиции, я перевёл деньги, не вернули.",
            "Вложил деньги в криптобиржу, показывали прибыль, но вывести нельзя.",
        ],
        "en": ["A Telegram channel offered an investment, I sent money and never got it back."],
    },
    "loan": {
        "uz": [
            "Mening nomimga onlayn kredit olishibdi, men ariza bermaganman.",
            "Qarz ilovasiga pasport ma'lumotlarini kiritdim, nomimga kredit rasmiylashtirildi.",
        ],
        "ru": [
            "На моё имя оформили онлайн-кредит, я заявку не подавал.",
            "Ввёл паспортные данные в приложении займов, на меня оформили кредит.",
        ],
        "en": ["Someone took an online loan in my name, I never applied."],
    },
}
CARD_PHRASES = {
    "uz": "Pulni {card} kartasiga o'tkazishdi.",
    "ru": "Деньги ушли на карту {card}.",
    "en": "The money went to card {card}.",
}
PHONE_PHRASES = {
    "uz": "Qo'ng'iroq {phone} raqamidan.",
    "ru": "Звонили с номера {phone}.",
    "en": "Call from {phone}.",
}
PRIZES = [
    "iPhone 17",
    "Chevrolet Tracker",
    "1 000 000 so'm",
    "Cobalt",
    "Samsung Galaxy",
    "MacBook",
    "500$",
    "Damas",
    "Gentra",
    "Artel televizor",
    "Umra safari",
    "kvartira",
]
ITEMS = ["divan", "iPhone", "velosiped", "muzlatgich", "kir mashina", "noutbuk", "kolyaska", "televizor"]
BANKS = [
    "Kapitalbank",
    "Hamkorbank",
    "Agrobank",
    "NBU",
    "Ipoteka bank",
    "Uzum Bank",
    "Xalq banki",
    "Anorbank",
]

COLUMNS = REPORT_COLUMNS
TRUTH_COLUMNS = ("external_id", "campaign", "method", "language")


@dataclass
class PlantedCampaign:
    key: str
    method: str
    language: str
    size: int
    template: list[str]
    prize: str
    phones: list[str] = field(default_factory=list)
    cards: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    handles: list[str] = field(default_factory=list)
    wallets: list[str] = field(default_factory=list)
    apks: list[str] = field(default_factory=list)


def _luhn_complete(prefix: str) -> str:
    for digit in "0123456789":
        candidate = prefix + digit
        total = 0
        for index, char in enumerate(reversed(candidate)):
            number = int(char) * (2 if index % 2 else 1)
            total += number - 9 if number > 9 else number
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _tron_wallet(rng: np.random.Generator) -> str:
    payload = b"\x41" + bytes(rng.integers(0, 256, 20, dtype=np.uint8).tolist())
    raw = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    number = int.from_bytes(raw, "big")
    text = ""
    while number:
        number, rest = divmod(number, 58)
        text = _B58[rest] + text
    return text


class _Values:
    """Unique values (phones, cards, names) drawn from one generator, never repeated by chance."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def _unique(self, make: Any) -> str:
        while True:
            value = make()
            if value not in self.used:
                self.used.add(value)
                return str(value)

    def any_word(self, syllables: int = 4) -> str:
        """A made-up word, repeats allowed (message filler)."""
        return "".join(self.rng.choice(SYLLABLES, syllables))

    def phone(self) -> str:
        return self._unique(
            lambda: (
                "+998" + str(self.rng.choice(OPERATOR_CODES)) + "".join(map(str, self.rng.integers(0, 10, 7)))
            )
        )

    def card(self) -> str:
        prefix = str(self.rng.choice(["8600", "9860", "8600", "4", "51", "52", "53", "54", "55"]))
        return self._unique(
            lambda: _luhn_complete(prefix + "".join(map(str, self.rng.integers(0, 10, 15 - len(prefix)))))
        )

    def word(self, syllables: int = 3) -> str:
        """A made-up word never drawn before: longer once the short ones run out."""
        for _ in range(20):
            value = "".join(self.rng.choice(SYLLABLES, syllables))
            if value not in self.used:
                self.used.add(value)
                return value
        return self.word(syllables + 1)

    def domain(self, method: str) -> str:
        brand = str(self.rng.choice(BRANDS))
        style = int(self.rng.integers(0, 3))
        word = self.word(2)
        tld = str(self.rng.choice(TLDS))
        if style == 0:
            return f"{brand}-{word}.{tld}"
        if style == 1:  # one Latin letter replaced by its Cyrillic look-alike
            positions = [i for i, ch in enumerate(brand) if ch in HOMOGLYPHS]
            if positions:
                i = positions[int(self.rng.integers(0, len(positions)))]
                brand = brand[:i] + HOMOGLYPHS[brand[i]] + brand[i + 1 :]
            return f"{brand}{word}.{tld}"
        return f"{word}-{brand}.{tld}" if method != "investment" else f"{word}trade.{tld}"

    def handle(self) -> str:
        return "@" + self.word(3) + str(self.rng.choice(["_bot", "_uz", "_admin", "", "_official"]))


def _format_phone(rng: np.random.Generator, phone: str) -> str:
    digits = phone[4:]
    style = int(rng.integers(0, 4))
    if style == 0:
        return phone
    if style == 1:
        return f"+998 {digits[:2]} {digits[2:5]} {digits[5:7]} {digits[7:]}"
    if style == 2:
        return f"({digits[:2]}) {digits[2:5]}-{digits[5:7]}-{digits[7:]}"
    return f"998{digits}"


def _format_card(rng: np.random.Generator, card: str) -> str:
    if rng.random() < 0.5:
        return " ".join(card[i : i + 4] for i in range(0, 16, 4))
    return card


def _format_link(rng: np.random.Generator, domain: str) -> str:
    path = str(rng.choice(["", "/login", "/bonus", "/pay", "/verify"]))
    if rng.random() < 0.15:
        return "hxxps://" + domain.replace(".", "[.]", 1) + path
    return ("https://" if rng.random() < 0.6 else "") + domain + path


def _localise(text: str, language: str) -> str:
    return latin_to_cyrillic(text) if language == "uz-cyrl" else text


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _say(template: str, language: str, **values: str) -> str:
    """The template in the language's script with the values inserted as they are (a link or a number is
    never transliterated)."""
    pieces = _PLACEHOLDER.split(template)
    out = []
    for index, piece in enumerate(pieces):
        out.append(values.get(piece, "") if index % 2 else _localise(piece, language))
    return "".join(out)


def _fragment_language(language: str) -> str:
    return "uz" if language == "uz-cyrl" else language


def _pick(rng: np.random.Generator, shares: dict[str, float]) -> str:
    keys = list(shares)
    weights = np.array([shares[k] for k in keys])
    return str(keys[int(rng.choice(len(keys), p=weights / weights.sum()))])


def _campaign_sizes(rng: np.random.Generator, total: int) -> list[int]:
    sizes = []
    remaining = total
    while remaining > 0:
        size = int(min(max(3, round(rng.lognormal(3.0, 1.0))), 600, remaining))
        if remaining - size < 3:
            size = remaining
        sizes.append(size)
        remaining -= size
    return sizes


def _message(rng: np.random.Generator, campaign: PlantedCampaign, values: dict[str, str]) -> str:
    parts = [_say(part, campaign.language, **values) for part in campaign.template]
    if rng.random() < 0.2 and len(parts) > 3:  # the victim copied part of it
        parts.pop(int(rng.integers(len(parts) - 1, len(parts))))
    return " ".join(parts)


@dataclass(frozen=True)
class CampaignPool:
    """One kind of indicator a campaign keeps a pool of: which methods have one, and how many values.

    ``largest``: "by_size" draws 1 to ``size // 8 + 1`` values (at most 6), "two" 1 or 2, "one" exactly one.
    """

    kind: str
    methods: frozenset[str]
    largest: str


# In the order the pools are drawn (a new kind goes last, so that the existing draws stay as they are).
CAMPAIGN_POOLS = (
    CampaignPool("cards", frozenset(METHOD_SHARES), "by_size"),
    CampaignPool("phones", frozenset({"sms_code", "marketplace", "loan"}), "by_size"),
    CampaignPool("domains", frozenset({"malicious_link", "marketplace", "investment", "loan"}), "two"),
    CampaignPool("handles", frozenset({"malicious_link", "investment"}), "two"),
    CampaignPool("wallets", frozenset({"investment"}), "two"),
    CampaignPool("apks", frozenset({"malicious_link"}), "one"),
)
# The kinds a victim names in the narrative (links are quoted with the message instead), in the order of
# the pool a report picks from.
MENTIONED_KINDS = ("cards", "phones", "apks", "handles", "wallets")
TRUTH_KINDS = ("phones", "cards", "domains", "handles", "wallets", "apks")


def _pool_value(rng: np.random.Generator, values: _Values, campaign: PlantedCampaign, kind: str) -> str:
    if kind == "cards":
        return values.card()
    if kind == "phones":
        return values.phone()
    if kind == "domains":
        return values.domain(campaign.method)
    if kind == "handles":
        return values.handle()
    if kind == "wallets":
        return _tron_wallet(rng)
    if kind == "apks":
        return f"{values.word(2).capitalize()}_{campaign.prize.split()[0]}.apk"
    raise ValueError(f"unknown pool kind {kind!r}")


def _pool_draw(
    rng: np.random.Generator, values: _Values, campaign: PlantedCampaign, pool: CampaignPool
) -> list[str]:
    if pool.largest == "one":
        count = 1
    else:
        largest = max(1, min(6, campaign.size // 8 + 1)) if pool.largest == "by_size" else 2
        count = int(rng.integers(1, largest + 1))
    return [_pool_value(rng, values, campaign, pool.kind) for _ in range(count)]


def _mention(rng: np.random.Generator, kind: str, value: str, language: str) -> str:
    """A value as a victim writes it in the narrative: a card or a phone in a sentence, formatted the way
    people type them; anything else as it is."""
    lang = _fragment_language(language)
    if kind == "cards":
        return _say(CARD_PHRASES[lang], language, card=_format_card(rng, value))
    if kind == "phones":
        return _say(PHONE_PHRASES[lang], language, phone=_format_phone(rng, value))
    return value


def _campaign_truth(campaign: PlantedCampaign) -> dict[str, Any]:
    truth: dict[str, Any] = {
        "key": campaign.key,
        "method": campaign.method,
        "language": campaign.language,
        "size": campaign.size,
    }
    for kind in TRUTH_KINDS:
        if kind == "cards":  # never a clear card number in a truth file
            truth["cards_masked"] = [f"{x[:6]}******{x[-4:]}" for x in campaign.cards]
        else:
            truth[kind] = getattr(campaign, kind)
    return truth


def build_cyber_reports(
    *, seed: int, scale: str, as_of: dt.date, mahalla_codes: list[str], days: int = 365
) -> tuple[list[dict[str, str]], list[dict[str, str]], dict[str, Any]]:
    """(report rows in the import format, truth rows, campaigns truth) for ``days`` days before ``as_of``."""
    rng = np.random.default_rng([seed, 13])
    per_year = REPORTS_PER_YEAR[scale]
    total = int(round(per_year * days / 365))
    values = _Values(rng)
    start = dt.datetime.combine(as_of - dt.timedelta(days=days), dt.time(0), tzinfo=dt.UTC)
    in_campaigns = int(total * CAMPAIGN_SHARE)
    campaigns: list[PlantedCampaign] = []
    for index, size in enumerate(_campaign_sizes(rng, in_campaigns)):
        method = _pick(rng, METHOD_SHARES)
        language = _pick(rng, LANGUAGE_SHARES)
        slots = FRAGMENTS[method][_fragment_language(language)]
        template = [str(rng.choice(slot)) for slot in slots]
        # Words of the campaign's own: no two campaigns share a template by chance.
        template.insert(1, " ".join(values.any_word(4) for _ in range(2)))
        campaign = PlantedCampaign(
            key=f"C{index + 1:04d}",
            method=method,
            language=language,
            size=size,
            template=template,
            prize=str(rng.choice(PRIZES + ITEMS + BANKS)),
        )
        for pool in CAMPAIGN_POOLS:
            if method in pool.methods:
                setattr(campaign, pool.kind, _pool_draw(rng, values, campaign, pool))
        campaigns.append(campaign)

    rows: list[dict[str, str]] = []
    truth: list[dict[str, str]] = []

    def add_row(method: str, language: str, campaign_key: str, narrative: str, message: str) -> None:
        reported = start + dt.timedelta(seconds=float(rng.uniform(0, days * 86400)))
        occurred = reported - dt.timedelta(hours=float(rng.exponential(30)))
        external_id = f"CYB-{seed}-{len(rows) + 1:07d}"
        if rng.random() < 0.2:  # a hub value: on the warning list, never a link
            hub = str(rng.choice(HUB_VALUES))
            phrase = {
                "uz": "Bankka {h} orqali murojaat qildim.",
                "ru": "Обращался в банк по {h}.",
                "en": "I called the bank at {h}.",
            }[_fragment_language(language)]
            narrative += " " + _say(phrase, language, h=hub)
        rows.append(
            {
                "external_id": external_id,
                "source_name": str(
                    rng.choice(["102", "bank:kapitalbank", "bank:uzumbank", "bank:hamkorbank"])
                ),
                "reported_at": reported.isoformat(timespec="seconds"),
                "occurred_at": occurred.isoformat(timespec="seconds"),
                "mahalla_code": str(rng.choice(mahalla_codes)),
                "channel": str(rng.choice(CHANNEL_BY_METHOD[method])),
                "narrative": narrative,
                "message_text": message,
                "loss_amount": f"{round(float(rng.lognormal(14.5, 1.2)), -3):.2f}",
                "currency": "UZS",
                "victim_age_group": str(rng.choice(AGE_GROUPS, p=AGE_WEIGHTS)),
            }
        )
        truth.append(
            {"external_id": external_id, "campaign": campaign_key, "method": method, "language": language}
        )

    for campaign in campaigns:
        lang = _fragment_language(campaign.language)
        for _ in range(campaign.size):
            link_domain = str(rng.choice(campaign.domains)) if campaign.domains else ""
            slot_values = {
                "prize": campaign.prize,
                "item": campaign.prize,
                "bank": campaign.prize,
                "link": _format_link(rng, link_domain) if link_domain else "",
                "phone": _format_phone(rng, str(rng.choice(campaign.phones))) if campaign.phones else "",
                "handle": str(rng.choice(campaign.handles)) if campaign.handles else "",
                "wallet": str(rng.choice(campaign.wallets)) if campaign.wallets else "",
            }
            narrative = _localise(str(rng.choice(NARRATIVES[campaign.method][lang])), campaign.language)
            message_only = rng.random() < 0.15
            extras = []
            if not message_only:
                pool = [(kind, value) for kind in MENTIONED_KINDS for value in getattr(campaign, kind)]
                chosen = rng.choice(len(pool), size=min(len(pool), int(rng.integers(1, 3))), replace=False)
                for i in chosen:
                    kind, value = pool[int(i)]
                    extras.append(_mention(rng, kind, value, campaign.language))
            quote = message_only or rng.random() < 0.7
            message = _message(rng, campaign, slot_values) if quote else ""
            if not quote and slot_values["link"]:
                extras.append(slot_values["link"])
            text = narrative + " " + " ".join(extras)
            add_row(campaign.method, campaign.language, campaign.key, text.strip(), message)

    for _ in range(total - in_campaigns):
        method = _pick(rng, METHOD_SHARES)
        language = _pick(rng, LANGUAGE_SHARES)
        lang = _fragment_language(language)
        narrative = _localise(str(rng.choice(NARRATIVES[method][lang])), language)
        extras = []
        if rng.random() < 0.7:
            extras.append(_mention(rng, "cards", values.card(), language))
        if rng.random() < 0.4:
            extras.append(_mention(rng, "phones", values.phone(), language))
        if method in ("malicious_link", "marketplace", "investment") and rng.random() < 0.5:
            extras.append(_format_link(rng, values.domain(method)))
        message = ""
        if rng.random() < 0.4:
            slots = FRAGMENTS[method][lang]
            words = [_say(str(rng.choice(slot)), language, prize=values.any_word(3)) for slot in slots[:2]]
            words += [values.any_word() for _ in range(6)]
            rng.shuffle(words)
            message = " ".join(words)
        text = narrative + " " + " ".join(extras)
        add_row(method, language, "", text.strip(), message)

    order = np.argsort([row["reported_at"] for row in rows], kind="stable")
    rows = [rows[i] for i in order]
    truth = [truth[i] for i in order]
    campaigns_truth = {
        "reports": len(rows),
        "campaign_share": CAMPAIGN_SHARE,
        "method_shares": METHOD_SHARES,
        "hub_values": HUB_VALUES,
        "campaigns": [_campaign_truth(c) for c in campaigns],
    }
    return rows, truth, campaigns_truth
