"""The method classifier's batch path gives, report by report, what the per-report path gives."""

import numpy as np
import pytest

from mahalla.cyber.classifier import MethodClassifier, reference_rows


@pytest.fixture(scope="module")
def model():
    rows = reference_rows()
    return MethodClassifier().fit([r.text for r in rows], [r.method for r in rows])


TEXTS = [
    "Telegramda havola keldi, bosdim va kartamdan pul yechildi",
    "Картангиз блокланди, SMS кодни айтинг деб қўнғироқ қилишди",
    "Мне позвонили из банка и попросили код из СМС, деньги списали",
    "I won a prize, click the link to claim it and enter your card",
    "Kredit olib berishdi mening nomimga, qarz paydo bo'ldi",
    "Инвестиция в крипту, обещали 30 % в месяц, вывести не дают",
    "",
]


def test_the_batch_gives_each_report_its_method_probability_and_deciding_words(model):
    results = model.classify(TEXTS)
    probabilities = model.predict_proba(TEXTS)
    assert len(results) == len(TEXTS)
    for text, result, row in zip(TEXTS, results, probabilities, strict=True):
        assert result.method == model.classes_[int(np.argmax(row))]
        assert result.probability == pytest.approx(float(row.max()))
        assert result.words == model.deciding_words(text, result.method)
        assert len(result.words) <= 5
    assert any(result.words for result in results)


def test_deciding_words_come_from_the_text_and_push_towards_the_method(model):
    text = TEXTS[0]
    method = model.classify([text])[0].method
    words = model.deciding_words(text, method, k=3)
    assert 0 < len(words) <= 3
    column = {name: i for i, name in enumerate(model.word_names_)}
    coefficients = model.word_coef_[model.classes_.index(method)]
    assert all(coefficients[column[w]] > 0 for w in words)
    assert all(part in text.lower() for w in words for part in w.split())


def test_an_empty_batch_classifies_nothing(model):
    assert model.classify([]) == []
    assert model.predict([]) == []
