import hashlib
import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_GET, require_http_methods

from core.error_pages import in_territory
from core.permissions import role_required
from tenants.members.models import Role

from .forms import SettingsForm, ThemeForm
from .selectors import settings_get, theme_get
from .services import settings_update, theme_update

IMAGE_FIELDS = {"logo.png": "logo", "icon-192.png": "icon_192", "icon-512.png": "icon_512"}


def legal(request):
    return render(request, "themes/legal.html")


@require_GET
def design_system(request):
    """/ui/: every component of the design system (docs/ui.md) in this site's theme; static
    markup, no data. Public, on every territory's site and on the archipel's own."""
    return render(request, "themes/ui.html")


@require_GET
def branding_image(request, name: str):
    field = IMAGE_FIELDS.get(name)
    theme = theme_get()
    data = getattr(theme, field) if field else None
    if not data:
        raise Http404
    data = bytes(data)
    etag = f'"{hashlib.sha256(data).hexdigest()[:16]}"'
    if request.headers.get("If-None-Match") == etag:
        return HttpResponse(status=304)
    response = HttpResponse(data, content_type="image/png")
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def favicon(request):
    """/favicon.ico, which browsers ask of every site: the territory's icon (a PNG, which every
    current browser takes at that address), or nothing when it has none."""
    return branding_image(request, "icon-192.png")


@require_GET
def manifest(request):
    """Web app manifest: the territory installs on a phone under its own brand."""
    theme = theme_get()
    icons = []
    if theme.icon_192:
        version = theme.logo_version
        icons = [
            {
                "src": f"{reverse('branding', args=['icon-192.png'])}?v={version}",
                "sizes": "192x192",
                "type": "image/png",
                "purpose": "any",
            },
            {
                "src": f"{reverse('branding', args=['icon-512.png'])}?v={version}",
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "any",
            },
        ]
    document = {
        "name": theme.display_name,
        "short_name": theme.display_name,
        "lang": request.LANGUAGE_CODE,
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": theme.primary_colour,
        "background_color": "#ffffff",
        "icons": icons,
    }
    return HttpResponse(
        json.dumps(document, ensure_ascii=False), content_type="application/manifest+json"
    )


@role_required(Role.TERRITORY_ADMIN)
@require_http_methods(["GET", "POST"])
def appearance(request):
    theme, current = theme_get(), settings_get()
    if request.method == "POST":
        theme_form = ThemeForm(request.POST, request.FILES, instance=theme, prefix="theme")
        settings_form = SettingsForm(request.POST, instance=current, prefix="settings")
        # Both forms checked, so that every error of the page shows at once.
        valid = [form.is_valid() for form in (theme_form, settings_form)]
        if all(valid):
            upload = theme_form.cleaned_data.get("logo_file")
            try:
                with transaction.atomic():
                    theme_update(
                        values={f: theme_form.cleaned_data[f] for f in ThemeForm.Meta.fields},
                        logo=upload.read() if upload else None,
                    )
                    settings_update(
                        values={f: settings_form.cleaned_data[f] for f in SettingsForm.Meta.fields}
                    )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    target = "logo_file" if field == "logo" else field
                    form = theme_form if target in theme_form.fields else settings_form
                    for error in errors:
                        form.add_error(target if target in form.fields else None, error)
            else:
                messages.success(request, _("Appearance and settings saved."))
                return redirect("appearance")
        status = 400
    else:
        theme_form = ThemeForm(instance=theme, prefix="theme")
        settings_form = SettingsForm(instance=current, prefix="settings")
        status = 200
    context = {"theme_form": theme_form, "settings_form": settings_form}
    return render(request, "themes/appearance.html", context, status=status)


@in_territory
def server_error(request):
    """A 500 in the territory's own look (its theme, its language); when even that cannot be
    drawn, Django's plain page (core/templates/500.html, no database, no context)."""
    try:
        return render(request, "error_500.html", status=500)
    except Exception:  # the failure may be what rendering needs: fall back to the plain page
        return defaults.server_error(request)
