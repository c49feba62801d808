"""Figures as a French reader writes them (issue 17: « 1495,9 » on the observatory)."""

from django.template import Context, Template
from django.utils import translation

from core.templatetags.figures import figure


def test_figures_are_grouped_by_thousands_with_a_decimal_comma():
    with translation.override("fr"):
        assert figure(1495.9).replace("\u202f", "\u00a0") == "1\u00a0495,9"
        assert figure(12040).replace("\u202f", "\u00a0") == "12\u00a0040"
        assert figure(7.0) == "7"
        assert figure("< 11") == "< 11" and figure(None) is None
    with translation.override("en"):
        assert figure(1495.9) == "1,495.9"


def test_the_filter_in_a_template():
    with translation.override("fr"):
        out = Template("{% load figures %}{{ v|figure }}").render(Context({"v": 2500}))
    assert out.replace("\u202f", "\u00a0") == "2\u00a0500"
