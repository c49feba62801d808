"""Every page carries a Content-Security-Policy of our own origin only, with a nonce per
response and no 'unsafe-inline' or 'unsafe-eval': the pages hold no inline script, event
handler or style attribute, and their few inline <style> blocks (a territory's colours) carry
the nonce. And a Permissions-Policy: the position for our own pages only, nothing else."""

import re

from django.test import Client

from tests.forms import SEARCH


def policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: sources for name, *sources in directives}


def assert_strict(response, where: str) -> None:
    assert response.status_code in (200, 403), (where, response.status_code)
    csp = policy(response)
    scripts, styles = csp["script-src"], csp.get("style-src", csp["default-src"])
    for sources in (scripts, styles):
        assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources, where
    allowed = {source for sources in csp.values() for source in sources}
    assert not [s for s in allowed if "://" in s or s.endswith(":") and s != "data:"], where
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html), f"{where}: inline script"
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), f"{where}: event handler attribute"
    assert not re.search(r"<[^>]+\sstyle\s*=", html), f"{where}: style attribute"
    nonces = set(re.findall(r"<style nonce=\"([^\"]+)\"", html))
    assert html.count("<style") == len(re.findall(r"<style nonce=", html)), where
    if nonces:
        assert nonces == {source[len("'nonce-") : -1] for source in styles if "nonce-" in source}


def test_territory_pages_carry_a_strict_policy_with_a_nonce(ride, alpha, beta):
    anonymous = Client(HTTP_HOST=alpha.host)
    home = anonymous.get("/")
    assert_strict(home, "home")
    first = [s for s in policy(home)["style-src"] if s.startswith("'nonce-")]
    assert first and "--primary:" in home.content.decode()  # the theme, under the nonce
    again = [s for s in policy(anonymous.get("/"))["style-src"] if s.startswith("'nonce-")]
    assert again != first  # one nonce per response

    # Search results with a neighbour's ride: its badge in that site's colours, no style=.
    results = beta.client("citizen").get("/", SEARCH)
    assert_strict(results, "search results")
    assert ".badge.site-alpha{background:" in results.content.decode()

    for path in ("/accounts/login/", "/accounts/signup/", "/charter/", "/api/docs/"):
        assert_strict(anonymous.get(path), path)
    admin = alpha.client("admin")
    for path in ("/manage/", "/manage/appearance/", "/my-trips/", "/rides/new/"):
        assert_strict(admin.get(path), path)


def test_swagger_ui_starts_from_a_script_file(alpha):
    page = Client(HTTP_HOST=alpha.host).get("/api/docs/").content.decode()
    script = re.search(r'<script src="(/api/docs/\?[^"]*script[^"]*)"', page)
    assert script, page
    init = Client(HTTP_HOST=alpha.host).get(script.group(1).replace("&amp;", "&"))
    assert init.status_code == 200 and "SwaggerUIBundle" in init.content.decode()
    assert init["Content-Type"].startswith("application/javascript")


def test_public_site_and_platform_admin_carry_the_policy(archipel, db):
    public = Client(HTTP_HOST="localhost")
    for path in ("/", "/admin/login/"):
        assert_strict(public.get(path), path)


def test_permissions_policy_allows_only_our_own_use_of_the_position(alpha):
    header = Client(HTTP_HOST=alpha.host).get("/").headers["Permissions-Policy"]
    features = dict(item.strip().split("=", 1) for item in header.split(","))
    assert features["geolocation"] == "(self)"  # a ride's confirmation may add the position
    for feature in ("camera", "microphone", "payment", "usb", "display-capture"):
        assert features[feature] == "()", feature
