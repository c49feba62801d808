"""The territory's admin takes the whole territory away as a documented archive."""

import tempfile
from pathlib import Path

from django.http import FileResponse
from django.shortcuts import render
from django.utils import timezone

from core.permissions import role_required
from tenants.members.models import Role
from tenants.models import Territory

from .archive import export_territory


@role_required(Role.TERRITORY_ADMIN)
def territory_export(request):
    """The whole territory as a documented archive (see provisioning/archive.py)."""
    if request.method != "POST":
        return render(request, "provisioning/territory_export.html")
    handle = tempfile.NamedTemporaryFile(suffix=".zip")  # noqa: SIM115 - closed by the response
    export_territory(Territory.objects.get(pk=request.tenant.pk), Path(handle.name))
    name = f"archipel-{request.tenant.slug}-{timezone.localdate():%Y-%m-%d}.zip"
    return FileResponse(open(handle.name, "rb"), as_attachment=True, filename=name)  # noqa: SIM115
