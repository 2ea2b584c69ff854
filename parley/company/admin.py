from django.contrib import admin

from parley.company.models import CompanyProfile
from parley.core.admin import ParleyAdmin


@admin.register(CompanyProfile)
class CompanyProfileAdmin(ParleyAdmin):
    # Read-only: Settings → Company edits it through company_update, which checks and audits.
    list_display = ("name", "color", "default_sender", "time_zone", "updated_at")
