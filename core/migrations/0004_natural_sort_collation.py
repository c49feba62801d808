"""A collation that sorts names as people read them: accents and case aside, "R2" before
"R10" (ICU, numbers compared as numbers). Created in `public`, where every schema finds it."""

from django.db import migrations

CREATE = "CREATE COLLATION IF NOT EXISTS public.archipel_natural (provider = icu, locale = 'fr-u-kn-true')"
DROP = "DROP COLLATION IF EXISTS public.archipel_natural"


class Migration(migrations.Migration):
    dependencies = [("core", "0003_phone_verified_and_blocks")]

    operations = [migrations.RunSQL(CREATE, DROP)]
