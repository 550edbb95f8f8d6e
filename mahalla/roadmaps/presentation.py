"""Sentences shown with the numbers: an effect is never claimed without significance."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .models import EffectEstimate


def effect_sentence(estimate: EffectEstimate) -> str:
    level = round(100 * (1 - float(estimate.parameters.get("alpha", 0.05))))
    numbers = _(
        "%(relative)+.1f %% (%(effect)+.2f offences per mahalla per %(period)s), %(level)s %% interval "
        "%(low)+.1f %% to %(high)+.1f %%, p = %(p).3f"
    ) % {
        "relative": 100 * estimate.relative_effect,
        "effect": estimate.effect,
        "period": estimate.period,
        "level": level,
        "low": 100 * estimate.relative_ci_low,
        "high": 100 * estimate.relative_ci_high,
        "p": estimate.p_value,
    }
    if not estimate.significant:
        return _("No significant change: estimate %(numbers)s.") % {"numbers": numbers}
    if estimate.effect < 0:
        return _("Significant fall against matched control mahallas: %(numbers)s.") % {"numbers": numbers}
    return _("Significant rise against matched control mahallas: %(numbers)s.") % {"numbers": numbers}
