"""`{% base_map %}`: the data attributes that tell a map element where its base map comes from
(read by core/static/js/basemap.js)."""

from django import template
from django.utils.html import format_html_join

from ..maps import base_map as base_map_settings

register = template.Library()


@register.simple_tag
def base_map() -> str:
    attributes = base_map_settings().items()
    return format_html_join("", ' data-{}="{}"', ((k.replace("_", "-"), v) for k, v in attributes))
