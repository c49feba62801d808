"""The component page (/ui/): every component of the design system, in each site's theme."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from demo.seed import DEMO_TERRITORIES
from themes.selectors import theme_get

COMPONENTS = [
    'class="subnav"', 'class="nav"', "<button", 'class="secondary"', 'class="danger"',
    'class="button"', 'class="link-button"', 'class="cards"', 'class="card"',
    'class="form-errors"', 'aria-invalid="true"', 'class="errorlist"', 'class="helptext"',
    "message-info", "message-success", "message-warning", "message-error",
    'class="badge"', "badge-success", 'class="table-scroll"', 'class="pager"',
    'details class="confirm"',
]


@pytest.mark.parametrize("spec", DEMO_TERRITORIES, ids=lambda spec: spec.slug)
def test_the_component_page_wears_each_demo_theme(alpha, spec):
    with schema_context(alpha.territory.schema_name):
        theme = theme_get()
        for field in ("display_name", "primary_colour", "on_primary_colour",
                      "secondary_colour", "on_secondary_colour"):
            setattr(theme, field, spec.theme[field])
        theme.save()
    response = alpha.client().get("/ui/")
    page = response.content.decode()
    assert response.status_code == 200
    assert f"--primary:{spec.theme['primary_colour']}" in page
    assert f"--secondary:{spec.theme['secondary_colour']}" in page
    assert spec.theme["display_name"].replace("'", "&#x27;") in page
    assert "Composants" in page
    for component in COMPONENTS:
        assert component in page, component


def test_the_public_site_has_its_component_page_in_archipels_colours(archipel, db):
    response = Client(HTTP_HOST="localhost").get("/ui/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "--primary:" not in page  # the stylesheet's own colours
    for component in COMPONENTS:
        assert component in page, component
